/**
 * The write key of a tracking request, as Segment's API takes it: the username of HTTP Basic auth
 * (`Authorization: Basic base64("<key>:")`), else `writeKey` in the body.
 */
export function writeKeyFrom(authorization: string | undefined, body: Record<string, unknown>): string | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (match) {
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const user = decoded.split(':')[0];
    if (user) return user;
  }
  return typeof body.writeKey === 'string' && body.writeKey !== '' ? body.writeKey : undefined;
}
