// Two pages, two paths: /console (search) and /console/customers/<appUserId>.
import { useEffect, useState } from "preact/hooks";

export const BASE = "/console";

export type Route = { page: "search"; query: URLSearchParams } | { page: "profile"; appUserId: string };

export function parseRoute(pathname: string, search: string): Route {
  const prefix = `${BASE}/customers/`;
  if (pathname.startsWith(prefix) && pathname.length > prefix.length) {
    return { page: "profile", appUserId: decodeURIComponent(pathname.slice(prefix.length)) };
  }
  return { page: "search", query: new URLSearchParams(search) };
}

export function profilePath(appUserId: string): string {
  return `${BASE}/customers/${encodeURIComponent(appUserId)}`;
}

export function navigate(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname, location.search));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname, location.search));
    window.addEventListener("popstate", update);
    return () => window.removeEventListener("popstate", update);
  }, []);
  return route;
}

/** A same-page link: the browser's own link, without a full reload. */
export function follow(event: MouseEvent, path: string): void {
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(path);
}
