// Placeholder until the ticket screens land in this session.
export function TicketsPage() {
  return null;
}
export function TicketPage() {
  return null;
}
