// How dates and money read in the console: UTC, unambiguous, the same on every machine.

export function formatDate(value: string | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatDay(value: string | null | undefined): string {
  if (!value) return "—";
  return new Date(value).toISOString().slice(0, 10);
}

export function formatMoney(money: { amount: string; currency: string } | null | undefined): string {
  if (!money) return "—";
  const amount = Number(money.amount);
  if (Number.isNaN(amount)) return `${money.amount} ${money.currency}`;
  const text = Math.abs(amount).toFixed(2);
  const sign = amount < 0 ? "−" : "";
  return money.currency === "USD" ? `${sign}$${text}` : `${sign}${text} ${money.currency}`;
}

export function humanize(value: string | null | undefined): string {
  if (!value) return "—";
  return value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, " ");
}
