export type ToastTone = "success" | "error";

export interface Toast {
  id: number;
  message: string;
  tone: ToastTone;
}

/** The maximum number of notices shown at a time. */
export const MAX_TOASTS = 3;

/**
 * Returns the notices to show after `added`. A success replaces the earlier errors,
 * because it reports the retry that fixed them, and a repeated message replaces its
 * earlier copy. Beyond `MAX_TOASTS`, the oldest notices go first.
 */
export function addToast(current: readonly Toast[], added: Toast): Toast[] {
  const remaining = current.filter(
    (toast) =>
      toast.message !== added.message && !(added.tone === "success" && toast.tone === "error"),
  );
  return [...remaining.slice(-(MAX_TOASTS - 1)), added];
}
