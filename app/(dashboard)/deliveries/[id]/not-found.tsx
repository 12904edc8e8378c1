import { NotFoundNotice } from "@/app/_components/not-found-notice";

export default function DeliveryNotFound() {
  return (
    <NotFoundNotice
      title="Delivery not found"
      message="This account has no delivery with that id. Check the link, or pick the delivery from the log."
      href="/deliveries"
      linkLabel="All deliveries"
    />
  );
}
