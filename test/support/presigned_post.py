"""botocore's generate_presigned_post, an implementation independent of the AWS SDK for
JavaScript, at a fixed clock. Reads {bucket, key, fields, conditions, expiresIn, accessKeyId,
secretAccessKey, region, endpoint, now} as JSON on stdin; prints {url, fields, policy} where
policy is the decoded policy document. With `verify: {policy, signature, date}` (a form signed
elsewhere) it adds `verified`: whether that signature is the one S3 computes for that policy.
"""
import base64
import json
import sys
from datetime import datetime, timezone
from unittest import mock

import boto3
from botocore.auth import S3SigV4PostAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

req = json.load(sys.stdin)
now = datetime.fromisoformat(req['now'].replace('Z', '+00:00')).astimezone(timezone.utc).replace(tzinfo=None)
client = boto3.client(
    's3',
    region_name=req['region'],
    endpoint_url=req['endpoint'],
    aws_access_key_id=req['accessKeyId'],
    aws_secret_access_key=req['secretAccessKey'],
    config=Config(s3={'addressing_style': 'path'}, signature_version='s3v4'),
)
with mock.patch('botocore.signers.get_current_datetime', return_value=now), \
        mock.patch('botocore.auth.get_current_datetime', return_value=now):
    post = client.generate_presigned_post(
        Bucket=req['bucket'], Key=req['key'], Fields=req['fields'], Conditions=req['conditions'],
        ExpiresIn=req['expiresIn'],
    )
policy = json.loads(base64.b64decode(post['fields']['policy']))
out = {'url': post['url'], 'fields': post['fields'], 'policy': policy}
if req.get('verify'):
    theirs = req['verify']
    auth = S3SigV4PostAuth(Credentials(req['accessKeyId'], req['secretAccessKey']), 's3', req['region'])
    request = AWSRequest(method='POST', url=post['url'])
    request.context['timestamp'] = theirs['date']
    out['verified'] = auth.signature(theirs['policy'], request) == theirs['signature']
print(json.dumps(out))
