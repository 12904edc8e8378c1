"use client";

import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { addToast, type Toast, type ToastTone } from "@/lib/ui/toasts";

/**
 * Short notices about the result of an action ("Key revoked."), shown by `Toasts` over the
 * page. The region is a polite live region, so a screen reader reads each notice
 * once it is idle. A notice hides itself after a few seconds, except while the pointer
 * or the keyboard focus is on it, and its close button dismisses it at once.
 */

type ShowToast = (message: string, tone?: ToastTone) => void;

/** How long a notice stays, in milliseconds. */
export const TOAST_DURATION_MS = 6000;

// Without a provider, as on a page outside the dashboard, a notice is dropped. Each form
// also shows its result next to itself.
const ToastContext = createContext<ShowToast>(() => {});

interface ShownToasts {
  toasts: Toast[];
  dismiss: (id: number) => void;
}

const ShownToastsContext = createContext<ShownToasts>({ toasts: [], dismiss: () => {} });

/** Returns the function that shows a notice. */
export function useToast(): ShowToast {
  return useContext(ToastContext);
}

let nextToastId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);

  const show = useCallback<ShowToast>((message, tone = "success") => {
    const id = nextToastId++;
    setToasts((current) => addToast(current, { id, message, tone }));
  }, []);

  const dismiss = useCallback((id: number) => {
    setToasts((current) => current.filter((toast) => toast.id !== id));
  }, []);

  const shownToasts = useMemo(() => ({ toasts, dismiss }), [toasts, dismiss]);

  return (
    <ToastContext.Provider value={show}>
      <ShownToastsContext.Provider value={shownToasts}>{children}</ShownToastsContext.Provider>
    </ToastContext.Provider>
  );
}

/**
 * Renders the notices over the page, so they never move its content: at the bottom of
 * the screen on a phone and in the bottom right corner from the sm breakpoint up. While
 * notices show, the page's bottom scroll padding is the height of their stack, so
 * scrolling an element into view (`scrollIntoView`, focus, a fragment link) stops above
 * the stack. A user who scrolls by hand can still move content under a notice.
 */
export function Toasts() {
  const { toasts, dismiss } = useContext(ShownToastsContext);
  const regionRef = useRef<HTMLElement>(null);

  useLayoutEffect(() => {
    const region = regionRef.current;
    if (!region) return;
    const root = document.documentElement;
    const update = () => {
      root.style.scrollPaddingBottom =
        region.childElementCount > 0 ? `${region.getBoundingClientRect().height}px` : "";
    };
    update();
    const observer = new ResizeObserver(update);
    observer.observe(region);
    return () => {
      observer.disconnect();
      root.style.scrollPaddingBottom = "";
    };
  }, []);

  return (
    <section
      ref={regionRef}
      aria-label="Notifications"
      aria-live="polite"
      data-testid="toasts"
      // The region lets clicks through, so its empty part never blocks the page below.
      className="pointer-events-none fixed inset-x-0 bottom-0 z-30 flex flex-col items-center gap-2 px-4 pb-[max(1rem,env(safe-area-inset-bottom))] sm:items-end sm:px-6 sm:pb-6"
    >
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} onDismiss={dismiss} />
      ))}
    </section>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const [held, setHeld] = useState(false);

  useEffect(() => {
    if (held) return;
    const timer = setTimeout(() => onDismiss(toast.id), TOAST_DURATION_MS);
    return () => clearTimeout(timer);
  }, [held, toast.id, onDismiss]);

  const error = toast.tone === "error";
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: hovering only pauses the timer
    <div
      data-testid="toast"
      data-tone={toast.tone}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
      className={`pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-xl border bg-zinc-900 px-4 py-3 text-sm shadow-xl shadow-black/30 ${
        error ? "border-red-500/60 text-red-300" : "border-emerald-500/60 text-emerald-300"
      }`}
    >
      <p className="min-w-0 flex-1 wrap-anywhere">{toast.message}</p>
      <button
        type="button"
        onClick={() => onDismiss(toast.id)}
        aria-label="Dismiss notification"
        className="-my-1 shrink-0 rounded px-1 text-zinc-400 hover:text-zinc-50 focus-visible:outline-2 focus-visible:outline-runpod-light"
      >
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}
