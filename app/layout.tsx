import type { Metadata } from "next";
import type { ReactNode } from "react";
import { THEME_SCRIPT } from "./_components/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Chirp", template: "%s · Chirp" },
  description: "Live cards for RunPod serverless jobs.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The head script sets data-theme before React hydrates, so the attribute differs
    // from the server's HTML on purpose.
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a fixed script of ours that must run before the first paint */}
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body className="min-h-dvh bg-zinc-950 font-sans text-zinc-100 antialiased">{children}</body>
    </html>
  );
}
