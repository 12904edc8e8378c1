import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { ChirpMark } from "@/app/_components/chirp-mark";
import { auth } from "@/lib/auth";

export default async function AuthLayout({ children }: { children: ReactNode }) {
  // A signed-in visitor has nothing to do here.
  if ((await auth())?.user) redirect("/");
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <ChirpMark />
          <p className="mt-2 text-sm text-zinc-400">Live cards for your RunPod serverless jobs.</p>
        </div>
        <div className="rounded-2xl border border-zinc-800 bg-zinc-900/60 p-6 shadow-xl shadow-black/30">
          {children}
        </div>
      </div>
    </main>
  );
}
