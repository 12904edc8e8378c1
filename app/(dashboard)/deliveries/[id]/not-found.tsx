import Link from "next/link";

export default function DeliveryNotFound() {
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold tracking-tight">Delivery not found</h1>
      <p className="text-sm text-zinc-400">
        This account has no delivery with that id. Check the link, or pick the delivery from the
        log.
      </p>
      <Link href="/deliveries" className="text-sm text-violet-300 hover:underline">
        All deliveries
      </Link>
    </div>
  );
}
