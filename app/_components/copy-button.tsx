"use client";

import { useEffect, useState } from "react";

/**
 * Copies text to the clipboard. `navigator.clipboard` exists only on HTTPS and localhost,
 * so a self-hosted Chirp on plain HTTP falls back to a hidden text area and the older
 * copy command.
 */
export async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // The browser denied access, so the fallback below gets a chance.
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    area.remove();
  }
}

type CopyStatus = "idle" | "copied" | "failed";

export function CopyButton({
  text,
  label = "Copy",
  className = "",
}: {
  text: string;
  /** The button's accessible name and visible text. */
  label?: string;
  className?: string;
}) {
  const [status, setStatus] = useState<CopyStatus>("idle");

  useEffect(() => {
    if (status === "idle") return;
    const timer = setTimeout(() => setStatus("idle"), 2000);
    return () => clearTimeout(timer);
  }, [status]);

  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        onClick={async () => setStatus((await copyText(text)) ? "copied" : "failed")}
        className={`shrink-0 rounded-md border border-zinc-700 bg-zinc-800 px-2.5 py-1 text-xs font-medium text-zinc-200 transition hover:border-zinc-500 hover:bg-zinc-700 ${className}`}
      >
        {label}
      </button>
      <span role="status" className="text-xs text-zinc-400">
        {status === "copied"
          ? "Copied"
          : status === "failed"
            ? "Copying failed; select the text and copy it by hand."
            : ""}
      </span>
    </span>
  );
}
