"use client";

import { useEffect, useId, useState } from "react";

const EXPIRY_CHOICES = [
  { value: "none", label: "No expiry" },
  { value: "7d", label: "7 days" },
  { value: "30d", label: "30 days" },
  { value: "90d", label: "90 days" },
  { value: "custom", label: "Custom date" },
] as const;

const DAY_MS = 24 * 60 * 60 * 1000;

const PRESET_DAYS: Record<string, number> = { "7d": 7, "30d": 30, "90d": 90 };

/**
 * Turns the expiry fields of a form into the ISO 8601 time the server takes, or "" for no
 * expiry. It runs in the browser because a custom date is in the user's time zone, which
 * the server does not know. Returns an error message for a missing custom date.
 */
export function readExpiryFields(formData: FormData): { expiresAt: string } | { error: string } {
  const choice = String(formData.get("expiry") ?? "none");
  if (choice === "none") return { expiresAt: "" };
  const days = PRESET_DAYS[choice];
  if (days !== undefined) return { expiresAt: new Date(Date.now() + days * DAY_MS).toISOString() };

  const custom = String(formData.get("expiryCustom") ?? "");
  const date = new Date(custom);
  if (custom === "" || Number.isNaN(date.getTime())) {
    return { error: "Pick the date and time the key should expire, or choose another expiry." };
  }
  return { expiresAt: date.toISOString() };
}

const fieldClass =
  "rounded-lg border border-zinc-700 bg-zinc-900 px-3 py-2 text-sm text-zinc-100 outline-none transition focus:border-runpod-light focus:ring-2 focus:ring-runpod-light/30 aria-invalid:border-red-500";

/** The expiry fields as the user filled them in, to show them again after an error. */
export interface SubmittedExpiry {
  choice: string;
  custom: string;
}

export function submittedExpiry(formData: FormData): SubmittedExpiry {
  return {
    choice: String(formData.get("expiry") ?? "none"),
    custom: String(formData.get("expiryCustom") ?? ""),
  };
}

/**
 * Renders an expiry choice: none, 7, 30 or 90 days from now, or a custom date and time.
 * The fields are uncontrolled with `submitted` as their defaults: React resets a form
 * after its action, and the reset then restores what the user sent instead of "No expiry".
 */
export function ExpiryField({
  label = "Expiry",
  invalid,
  submitted,
}: {
  label?: string;
  invalid?: boolean;
  submitted?: SubmittedExpiry;
}) {
  const id = useId();
  const initialChoice = submitted?.choice ?? "none";
  const [choice, setChoice] = useState(initialChoice);
  useEffect(() => setChoice(initialChoice), [initialChoice]);
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="text-sm font-medium text-zinc-300">
        {label}
      </label>
      <div className="flex flex-wrap gap-2">
        <select
          // React sets a select's default only when it mounts, so a new default remounts it.
          key={initialChoice}
          id={id}
          name="expiry"
          defaultValue={initialChoice}
          onChange={(event) => setChoice(event.target.value)}
          aria-invalid={invalid ? true : undefined}
          className={fieldClass}
        >
          {EXPIRY_CHOICES.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        {choice === "custom" ? (
          <input
            key={submitted?.custom}
            type="datetime-local"
            name="expiryCustom"
            aria-label="Expiry date and time"
            defaultValue={submitted?.custom}
            required
            className={fieldClass}
          />
        ) : null}
      </div>
    </div>
  );
}
