import type { ReactNode } from "react";
import { Spinner } from "./spinner";

/** Renders a form's primary submit button, disabled with a spinner while its action runs. */
export function SubmitButton({
  pending,
  className = "",
  children,
}: {
  pending: boolean;
  /** Extra classes for the button's place in its form, such as `self-start`. */
  className?: string;
  children: ReactNode;
}) {
  return (
    <button
      type="submit"
      disabled={pending}
      aria-busy={pending}
      className={`inline-flex items-center justify-center gap-2 rounded-lg bg-runpod px-4 py-2 text-sm font-medium text-white transition hover:bg-runpod-light disabled:cursor-wait disabled:opacity-60 ${className}`}
    >
      {pending ? <Spinner /> : null}
      {children}
    </button>
  );
}
