"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import type { FormEvent } from "react";
import {
  type CardPresentation,
  DEFAULT_PRESENTATION,
  PRESENTATION_PARAM,
  withPresentation,
} from "@/lib/activities/card-presentation";
import { activityStates } from "@/lib/db/schema";
import { copyText } from "./copy-button";
import { useToast } from "./toast";

const FIELD =
  "rounded-lg border border-zinc-700 bg-zinc-900 px-2 py-1 text-sm text-zinc-100 focus:border-runpod-light focus:outline-none";

/**
 * The board's filter form. Submitting navigates to the same page with the filters as
 * query parameters, so the URL alone describes the view and can be shared. A new search
 * starts at the first page. The card presentation is not a filter, so it is kept as it is.
 */
export function BoardFilters({
  values,
  presentation = DEFAULT_PRESENTATION,
}: {
  values: Record<string, string>;
  presentation?: CardPresentation;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const toast = useToast();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(event.currentTarget)) {
      if (typeof value === "string" && value.trim() !== "") params.set(name, value.trim());
    }
    const query = params.toString();
    router.push(query ? `${pathname}?${query}` : pathname);
  };
  const clearQuery = withPresentation(new URLSearchParams(), presentation).toString();

  return (
    <form
      onSubmit={submit}
      aria-label="Filter the board"
      data-testid="board-filters"
      className="mb-4 flex flex-wrap items-end gap-3 text-xs text-zinc-400"
    >
      {presentation === DEFAULT_PRESENTATION ? null : (
        <input type="hidden" name={PRESENTATION_PARAM} value={presentation} />
      )}
      <label className="flex flex-col gap-1">
        Search
        <input
          name="q"
          type="search"
          defaultValue={values.q ?? ""}
          placeholder="Job id or name"
          className={FIELD}
        />
      </label>
      <label className="flex flex-col gap-1">
        Status
        <select name="status" defaultValue={values.status ?? ""} className={FIELD}>
          <option value="">Any</option>
          <option value="open">Open</option>
          <option value="closed">Closed</option>
        </select>
      </label>
      <label className="flex flex-col gap-1">
        State
        <select name="state" defaultValue={values.state ?? ""} className={FIELD}>
          <option value="">Any</option>
          {activityStates.map((state) => (
            <option key={state} value={state}>
              {state}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1">
        Endpoint
        <input
          name="endpoint"
          defaultValue={values.endpoint ?? ""}
          placeholder="Endpoint id"
          className={FIELD}
        />
      </label>
      <label className="flex flex-col gap-1">
        Changed since
        <input
          name="since"
          defaultValue={values.since ?? ""}
          placeholder="2026-12-04"
          className={FIELD}
        />
      </label>
      <label className="flex flex-col gap-1">
        Changed before
        <input
          name="until"
          defaultValue={values.until ?? ""}
          placeholder="2026-12-05T12:00Z"
          className={FIELD}
        />
      </label>
      <button
        type="submit"
        className="rounded-lg bg-runpod px-3 py-1.5 text-sm font-medium text-white hover:bg-runpod-light"
      >
        Apply
      </button>
      <Link
        href={clearQuery ? `${pathname}?${clearQuery}` : pathname}
        className="py-1.5 text-sm text-zinc-400 hover:underline"
      >
        Clear
      </Link>
      <button
        type="button"
        onClick={async () => {
          // The address bar contains the applied filters and the presentation, not unsaved edits.
          if (await copyText(window.location.href)) toast("Link to this view copied.");
          else toast("Copying failed; copy the address from the address bar.", "error");
        }}
        className="rounded-lg border border-zinc-700 px-3 py-1.5 text-sm text-zinc-300 hover:border-zinc-500"
      >
        Copy link
      </button>
    </form>
  );
}
