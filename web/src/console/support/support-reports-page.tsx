// Placeholder until the reports screen lands in this session.
export function SupportReportsPage() {
  return null;
}
