/**
 * A titled panel. `min-w-0` lets it shrink inside a grid or flex row: without it a wide child
 * (a code block, a table) widens the card and the page scrolls sideways on a phone.
 */
export function Card({ title, children, className = '' }: { title?: string; children: React.ReactNode; className?: string }) {
  return (
    <section className={`min-w-0 rounded-lg border border-zinc-200 bg-white p-4 shadow-sm sm:p-6 ${className}`}>
      {title ? <h2 className="mb-4 text-base font-semibold text-zinc-900">{title}</h2> : null}
      {children}
    </section>
  );
}
