import type { CardColor } from "@/lib/activities/presentation";

/**
 * Tailwind classes of each card colour, shared by every presentation. The cards stay dark
 * in both page themes, like the phone's Live Activity, so these never change with the theme.
 */
export const COLOR_CLASSES: Record<
  CardColor,
  { card: string; header: string; action: string; bar: string }
> = {
  purple: {
    card: "border-runpod/50 bg-zinc-900 hover:border-runpod-light",
    header: "text-runpod-light",
    action: "text-zinc-200",
    bar: "bg-runpod-light",
  },
  green: {
    card: "border-emerald-500/50 bg-emerald-950 hover:border-emerald-400",
    header: "text-emerald-400",
    action: "text-emerald-100",
    bar: "bg-emerald-500",
  },
  red: {
    card: "border-red-500/50 bg-red-950 hover:border-red-400",
    header: "text-red-400",
    action: "text-red-100",
    bar: "bg-red-500",
  },
  orange: {
    card: "border-orange-500/50 bg-orange-950 hover:border-orange-400",
    header: "text-orange-400",
    action: "text-orange-100",
    bar: "bg-orange-500",
  },
  grey: {
    card: "border-zinc-600/60 bg-zinc-900 hover:border-zinc-400",
    header: "text-zinc-400",
    action: "text-zinc-300",
    bar: "bg-zinc-500",
  },
};
