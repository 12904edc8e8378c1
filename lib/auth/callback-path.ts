/**
 * Returns the local path to open after signing in, from the `callbackUrl` that the request
 * proxy adds when it sends a signed-out visitor to /sign-in. Only the path, query and
 * fragment are kept, so the value can never send the user to another site. The sign-in
 * pages themselves and anything unparseable lead to the board.
 */
export function callbackPath(callbackUrl: unknown): string {
  if (typeof callbackUrl !== "string" || callbackUrl === "") return "/";
  let url: URL;
  try {
    url = new URL(callbackUrl, "http://localhost");
  } catch {
    return "/";
  }
  // A path starting with two slashes would be read as another host.
  const path = url.pathname.replace(/^\/+/, "/");
  if (path === "/sign-in" || path === "/sign-up") return "/";
  return `${path}${url.search}${url.hash}`;
}
