"""CloudFront signed URLs made by botocore's CloudFrontSigner, with an RSA signer from the
`cryptography` package: an implementation independent of @aws-sdk/cloudfront-signer. Reads
{url, keyPairId, privateKey, publicKey, expires, starts?, ipRange?, policy?, signature?} as JSON
on stdin (epoch seconds; policy and signature as the connector made them) and prints:

- cannedUrl: botocore's URL with a canned policy for url and expires;
- builtPolicy: the custom policy botocore builds for url, expires, starts and ipRange;
- urlForPolicy: botocore's URL for the given policy (its Signature is botocore's, over that policy);
- verified: whether the given signature verifies against publicKey over the given policy (or,
  without one, over botocore's canned policy).
"""
import base64
import json
import sys
from datetime import datetime, timezone

from botocore.signers import CloudFrontSigner
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def main():
    req = json.load(sys.stdin)
    private_key = serialization.load_pem_private_key(req['privateKey'].encode(), password=None)
    public_key = serialization.load_pem_public_key(req['publicKey'].encode())

    def rsa_signer(message):
        return private_key.sign(message, padding.PKCS1v15(), hashes.SHA1())

    signer = CloudFrontSigner(req['keyPairId'], rsa_signer)
    at = lambda s: datetime.fromtimestamp(s, tz=timezone.utc)  # noqa: E731
    expires = at(req['expires'])
    starts = at(req['starts']) if req.get('starts') is not None else None
    out = {
        'cannedUrl': signer.generate_presigned_url(req['url'], date_less_than=expires),
        'builtPolicy': signer.build_policy(req['url'], expires, date_greater_than=starts, ip_address=req.get('ipRange')),
    }
    policy = req.get('policy') or signer.build_policy(req['url'], expires)
    if req.get('policy'):
        out['urlForPolicy'] = signer.generate_presigned_url(req['url'], policy=req['policy'])
    if req.get('signature'):
        # CloudFront's URL-safe base64: - for +, _ for =, ~ for /.
        raw = req['signature'].replace('-', '+').replace('_', '=').replace('~', '/')
        try:
            public_key.verify(base64.b64decode(raw), policy.encode(), padding.PKCS1v15(), hashes.SHA1())
            out['verified'] = True
        except InvalidSignature:
            out['verified'] = False
    json.dump(out, sys.stdout)


main()
