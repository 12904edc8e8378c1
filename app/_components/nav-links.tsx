"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Board" },
  { href: "/deliveries", label: "Deliveries" },
  { href: "/duplicates", label: "Duplicates" },
  { href: "/keys", label: "Keys" },
  { href: "/settings", label: "Settings" },
] as const;

/** The dashboard's pages: one per line in the narrow-screen menu, in a row on wide screens. */
export function NavLinks() {
  const pathname = usePathname();
  return (
    <ul className="flex flex-col gap-1 md:flex-row md:items-center">
      {LINKS.map(({ href, label }) => {
        const current = href === "/" ? pathname === href : pathname.startsWith(href);
        return (
          <li key={href}>
            <Link
              href={href}
              aria-current={current ? "page" : undefined}
              className={`block rounded-lg px-3 py-1.5 text-sm font-medium transition focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-runpod-light ${
                current
                  ? "bg-zinc-800 text-zinc-50"
                  : "text-zinc-400 hover:bg-zinc-900 hover:text-zinc-100"
              }`}
            >
              {label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
