import type { ReactNode } from "react";
import { ChirpMark } from "@/app/_components/chirp-mark";
import { MobileMenu } from "@/app/_components/mobile-menu";
import { NavLinks } from "@/app/_components/nav-links";
import { ThemeToggle } from "@/app/_components/theme-toggle";
import { ToastProvider, Toasts } from "@/app/_components/toast";
import { signOutOfDashboard } from "./actions";
import { requireSession } from "./session";

/** Renders the signed-in account, the theme switch and the sign-out button. */
function AccountControls({ email }: { email: string }) {
  return (
    <>
      <ThemeToggle />
      <span
        className="min-w-0 truncate text-sm text-zinc-400"
        title={email}
        data-testid="account-email"
      >
        {email}
      </span>
      <form action={signOutOfDashboard}>
        <button
          type="submit"
          className="rounded-lg border border-zinc-700 px-3 py-1.5 text-sm text-zinc-300 transition hover:border-zinc-500 hover:text-zinc-50"
        >
          Sign out
        </button>
      </form>
    </>
  );
}

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const { email } = await requireSession();
  return (
    <ToastProvider>
      <div className="flex min-h-dvh flex-col">
        <a
          href="#main"
          className="sr-only z-20 rounded-lg bg-runpod px-4 py-2 text-sm font-medium text-white focus:not-sr-only focus:absolute focus:top-2 focus:left-2"
        >
          Skip to content
        </a>
        <header className="sticky top-0 z-10 border-b border-zinc-800/80 bg-zinc-950/80 backdrop-blur">
          <nav
            aria-label="Main"
            className="relative mx-auto flex max-w-6xl items-center gap-x-6 px-4 py-3"
          >
            <ChirpMark />
            <MobileMenu>
              <NavLinks />
              <div className="flex min-w-0 flex-wrap items-center gap-3 md:ml-auto md:flex-nowrap">
                <AccountControls email={email} />
              </div>
            </MobileMenu>
          </nav>
        </header>
        <main
          id="main"
          tabIndex={-1}
          className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 outline-none"
        >
          {children}
        </main>
      </div>
      <Toasts />
    </ToastProvider>
  );
}
