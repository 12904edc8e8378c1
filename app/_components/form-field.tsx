import type { InputHTMLAttributes } from "react";

const inputClass =
  "w-full rounded-lg border border-zinc-700 bg-zinc-900 px-3 py-2 text-zinc-100 outline-none transition focus:border-runpod-light focus:ring-2 focus:ring-runpod-light/30 aria-invalid:border-red-500";

/**
 * Renders a labelled input of the settings forms with its hint, or its error in place of the hint.
 * The error repeats the label so that a screen reader announces which field it is about.
 */
export function FormField({
  name,
  label,
  error,
  hint,
  className,
  ...inputProps
}: {
  name: string;
  label: string;
  error?: string;
  hint?: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "name">) {
  const errorId = `${name}-error`;
  const hintId = `${name}-hint`;
  let describedBy: string | undefined;
  if (error) describedBy = errorId;
  else if (hint) describedBy = hintId;

  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={name} className="text-sm font-medium text-zinc-300">
        {label}
      </label>
      <input
        id={name}
        name={name}
        required
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={`${inputClass} ${className ?? ""}`}
        {...inputProps}
      />
      {error ? (
        <p id={errorId} className="text-sm text-red-400">
          {label}: {error}
        </p>
      ) : hint ? (
        <p id={hintId} className="text-sm text-zinc-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
