import Link from "next/link";

/** Renders a dashboard page's "not found" state, with a link back to where the item is listed. */
export function NotFoundNotice({
  title,
  message,
  href,
  linkLabel,
}: {
  title: string;
  message: string;
  href: string;
  linkLabel: string;
}) {
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <p className="text-sm text-zinc-400">{message}</p>
      <Link href={href} className="text-sm text-violet-300 hover:underline">
        {linkLabel}
      </Link>
    </div>
  );
}
