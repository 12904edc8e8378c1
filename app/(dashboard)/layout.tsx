import type { ReactNode } from "react";
import { ChirpMark } from "@/app/_components/chirp-mark";
import { NavLinks } from "@/app/_components/nav-links";
import { signOutOfDashboard } from "./actions";
import { requireSession } from "./session";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { email } = await requireSession();
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="sticky top-0 z-10 border-b border-zinc-800/80 bg-zinc-950/80 backdrop-blur">
        <nav
          aria-label="Main"
          className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3"
        >
          <ChirpMark />
          <NavLinks />
          <div className="ml-auto flex min-w-0 items-center gap-3">
            <span
              className="truncate text-sm text-zinc-400"
              title={email}
              data-testid="account-email"
            >
              {email}
            </span>
            <form action={signOutOfDashboard}>
              <button
                type="submit"
                className="rounded-lg border border-zinc-700 px-3 py-1.5 text-sm text-zinc-300 transition hover:border-zinc-500 hover:text-white"
              >
                Sign out
              </button>
            </form>
          </div>
        </nav>
      </header>
      <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8">{children}</main>
    </div>
  );
}
