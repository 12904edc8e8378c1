"use client";

import { usePathname } from "next/navigation";
import { type ReactNode, useEffect, useId, useState } from "react";

/**
 * Renders the header's links and account controls. Wide screens show them in the header's
 * row, and narrow ones fold them behind a Menu button that closes after a navigation.
 */
export function MobileMenu({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const panelId = useId();
  const [open, setOpen] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: closes on every navigation
  useEffect(() => setOpen(false), [pathname]);

  return (
    <>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((current) => !current)}
        className="ml-auto flex items-center gap-2 rounded-lg border border-zinc-700 px-3 py-1.5 text-sm text-zinc-300 md:hidden"
      >
        <span aria-hidden="true" className="leading-none">
          {open ? "✕" : "☰"}
        </span>
        Menu
      </button>
      <div
        id={panelId}
        className={`${open ? "flex" : "hidden"} absolute inset-x-0 top-full flex-col gap-4 border-b border-zinc-800 bg-zinc-950 p-4 shadow-xl shadow-black/30 md:static md:flex md:flex-1 md:flex-row md:items-center md:gap-6 md:border-0 md:bg-transparent md:p-0 md:shadow-none`}
      >
        {children}
      </div>
    </>
  );
}
