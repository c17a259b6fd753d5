// The citizen's pages as routes in the URL's hash (#new, #mine, #track, #track/FT…,
// #receipt/FT…): one HTML page on the phone, the back button works, and a link to a
// request's progress can be kept or shared (the token is never in it).

export type Route =
  | { view: 'new' }
  | { view: 'mine' }
  | { view: 'track'; number?: string }
  | { view: 'receipt'; number: string };

export function parseRoute(hash: string): Route {
  const [view, arg] = hash.replace(/^#/, '').split('/', 2);
  const number = arg ? decodeURIComponent(arg) : undefined;
  switch (view) {
    case 'mine':
      return { view: 'mine' };
    case 'track':
      return { view: 'track', number };
    case 'receipt':
      return number ? { view: 'receipt', number } : { view: 'new' };
    default:
      return { view: 'new' };
  }
}
