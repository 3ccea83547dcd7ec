/**
 * DNS-rebinding defence for the servers dynafeast runs on loopback (`dynafeast local`, `dynafeast serve`):
 * a page on another site may make a browser send requests to 127.0.0.1, but its Host header still names
 * that site, so only requests whose Host is a loopback name with our port are served.
 */
/** The Host header names this server: a loopback name or address with the port it listens on. */
export function isOwnHost(hostHeader: string | undefined, port: number | undefined): boolean {
  if (!hostHeader || port === undefined) return false;
  let url: URL;
  try {
    url = new URL(`http://${hostHeader}`);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname !== '/' || `${url.host}` !== hostHeader.toLowerCase()) return false;
  const effectivePort = url.port === '' ? 80 : Number(url.port);
  if (effectivePort !== port) return false;
  const h = url.hostname;
  return h === 'localhost' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h);
}
