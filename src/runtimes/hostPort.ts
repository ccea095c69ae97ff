import { isIP } from 'node:net';

/** host:port, with IPv6 addresses in brackets. Pure. */
export const hostPort = (host: string, port: number) => (isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`);

/** Where a client on this machine connects to a server listening on `host`. */
export const clientHost = (host: string) => (host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host);

export const isIpAddress = (host: string) => isIP(host) !== 0;
