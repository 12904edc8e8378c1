"use server";

import { signOut } from "@/lib/auth";

export async function signOutOfDashboard(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}
