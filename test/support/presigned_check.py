"""Checks a SigV4 presigned S3 URL the way S3 does, with botocore's signer as an implementation
independent of the AWS SDK for JavaScript. Reads {method, url, headers, accessKeyId,
secretAccessKey, region, now} as JSON on stdin; prints {"ok": bool, "reason": str}.

moto does not verify presigned URLs (neither their signature nor their expiry), so tests use this
to prove what a real S3 would refuse.
"""
import json
import sys
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTH_PARAMS = {
    'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires',
    'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Security-Token',
}


def check(req):
    parts = urlsplit(req['url'])
    query = parse_qsl(parts.query, keep_blank_values=True)
    params = dict(query)
    signed_at = datetime.strptime(params['X-Amz-Date'], '%Y%m%dT%H%M%SZ').replace(tzinfo=timezone.utc)
    expires = int(params['X-Amz-Expires'])
    now = datetime.fromisoformat(req['now'].replace('Z', '+00:00'))
    # S3 checks the signature first, then the expiry.
    sent = {k.lower(): v for k, v in req.get('headers', {}).items()}
    headers = {}
    for name in params['X-Amz-SignedHeaders'].split(';'):
        if name == 'host':
            continue
        if name not in sent:
            return {'ok': False, 'reason': f'SignatureDoesNotMatch: signed header {name} not sent'}
        headers[name] = sent[name]
    operation = [(k, v) for k, v in query if k not in AUTH_PARAMS]
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(operation, quote_via=quote), ''))
    auth = S3SigV4QueryAuth(Credentials(req['accessKeyId'], req['secretAccessKey']), 's3', req['region'], expires=expires)
    request = AWSRequest(method=req['method'], url=url, headers=headers)
    request.context['timestamp'] = params['X-Amz-Date']
    auth._modify_request_before_signing(request)
    signature = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
    if signature != params['X-Amz-Signature']:
        return {'ok': False, 'reason': 'SignatureDoesNotMatch'}
    if now > signed_at + timedelta(seconds=expires):
        return {'ok': False, 'reason': 'AccessDenied: Request has expired'}
    return {'ok': True, 'reason': 'valid'}


print(json.dumps(check(json.load(sys.stdin))))
