// The transport's failures in the connector's terms: a proxy that refuses CONNECT or cannot be
// reached, a store certificate the connection does not trust, a TLS handshake that fails.
// errors.ts tries these rules before the general ones (errorRules.ts). Types only are imported:
// the proxy's refusal (transport.ts) is recognised by its name and fields.
import type { ErrorRule, Failure } from './errorRules.js';

interface ProxyRefusal {
  proxyStatus: number;
  proxyStatusText: string;
  proxy: string;
}

/** Node's codes for a certificate the connection does not trust, and what each means. */
const CERTIFICATE_PROBLEMS: Readonly<Record<string, string>> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a self-signed CA the connection does not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it is signed by a CA the connection does not know',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is not known',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not among the trusted CAs',
  CERT_UNTRUSTED: 'it is not trusted',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  ERR_TLS_CERT_ALTNAME_INVALID: "it is not made out to the endpoint's host name",
};

const viaProxy = (f: Failure): string | undefined => (f.raw as { viaProxy?: string }).viaProxy;
const refusal = (f: Failure) => f.raw as unknown as ProxyRefusal;

/** The error rules of the transport, tried before the general ones (errorRules.ts). */
export const TRANSPORT_ERROR_RULES: readonly ErrorRule[] = [
  {
    when: (f) => f.name === 'ProxyRefused' && refusal(f).proxyStatus === 407,
    type: 'auth',
    code: 'ProxyAuthenticationRequired',
    message: (_, f) =>
      `The proxy ${refusal(f).proxy} refused the connection's credentials for it (HTTP 407): check the user and password in the connection's proxy URL.`,
    details: (_, f) => ({ proxy: refusal(f).proxy, proxyStatus: 407 }),
  },
  {
    when: { names: ['ProxyRefused'] },
    type: 'network',
    code: 'ProxyRefused',
    retryable: false,
    message: (_, f) =>
      `The proxy ${refusal(f).proxy} would not open a tunnel to the store (HTTP ${refusal(f).proxyStatus}${refusal(f).proxyStatusText ? ` ${refusal(f).proxyStatusText}` : ''}): check that it lets this host reach the store's endpoint.`,
    details: (_, f) => ({ proxy: refusal(f).proxy, proxyStatus: refusal(f).proxyStatus }),
  },
  {
    when: (f) => viaProxy(f) !== undefined,
    type: 'network',
    code: (f) => f.code ?? 'ProxyUnreachable',
    message: (_, f) =>
      `The proxy ${viaProxy(f)} could not be reached (${f.code ?? f.name}): check that it is running and the connection's proxy URL, then try again.`,
    details: (_, f) => ({ proxy: viaProxy(f) }),
  },
  {
    when: (f) => f.code !== undefined && f.code in CERTIFICATE_PROBLEMS,
    type: 'network',
    code: 'TlsCertificateRejected',
    retryable: false,
    message: (_, f) =>
      `The store's TLS certificate was not accepted: ${CERTIFICATE_PROBLEMS[f.code ?? '']} (${f.code}). Give the CA that signed it in the connection's tls.ca (PEM), or check the endpoint.`,
    details: (_, f) => ({ tlsError: f.code }),
  },
  {
    when: (f) => /^ERR_SSL_|^EPROTO$/.test(f.code ?? ''),
    type: 'network',
    code: 'TlsHandshakeFailed',
    retryable: false,
    message: (_, f) =>
      `The TLS handshake with the store failed (${f.code}): check that the endpoint's scheme (https or http) matches the server.`,
    details: (_, f) => ({ tlsError: f.code }),
  },
];
