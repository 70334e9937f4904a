// caseworkstation://call?number=… as a softphone or CTI system opens it: checked strictly here,
// in the main process, and handed to the renderer as the browser host's own screen-pop route.
import { PhoneNumber } from '../../shared/domain';

export const CALL_LINK_PROTOCOL = 'caseworkstation';

/** The renderer route a call link asks for (`#/call?number=13900004455`), or null. */
export function callRouteOf(link: string): string | null {
  // Long links and odd characters never reach a parser, let alone the renderer.
  if (link.length > 200 || !/^[\x21-\x7e]+$/.test(link)) return null;
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== `${CALL_LINK_PROTOCOL}:`) return null;
  if (url.hostname !== 'call' || (url.pathname !== '' && url.pathname !== '/')) return null;
  const keys = [...url.searchParams.keys()];
  if (keys.length !== 1 || keys[0] !== 'number') return null;
  const number = PhoneNumber.safeParse(url.searchParams.get('number') ?? '');
  return number.success ? `#/call?number=${number.data}` : null;
}

/** The call link among a second instance's command line, if any. */
export function callLinkInArgs(args: readonly string[]): string | null {
  return args.find((arg) => arg.startsWith(`${CALL_LINK_PROTOCOL}://`)) ?? null;
}
