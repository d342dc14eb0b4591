import { Table } from '@/components/ui/table';
import type { ListedModel } from '@/lib/gateway/model-list';
import { operationsLabel, pricePerMillion, tokens } from '../format';

const COLUMNS = ['Model', 'Availability', 'Input / 1M', 'Output / 1M', 'Cached input / 1M', 'Context', 'Max output', 'Operations'] as const;

function Availability({ available }: { available: boolean }) {
  return available ? (
    <span className="inline-flex rounded-full bg-green-50 px-2 py-0.5 text-xs font-medium whitespace-nowrap text-green-800 ring-1 ring-green-600/20 ring-inset">
      Available
    </span>
  ) : (
    <span className="inline-flex rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium whitespace-nowrap text-zinc-700 ring-1 ring-zinc-500/20 ring-inset">
      Not configured
    </span>
  );
}

/** The catalog: one row per model. The table scrolls inside its card on a narrow screen, never the page. */
export function ModelsTable({ models }: { models: readonly ListedModel[] }) {
  return (
    <Table columns={COLUMNS}>
      {models.map((model) => (
        <tr key={model.id} data-model={model.id} className="align-top">
          <th scope="row" className="px-4 py-3 text-left font-medium">
            <code className="whitespace-nowrap">{model.id}</code>
            <div className="text-xs font-normal whitespace-nowrap text-zinc-500">{model.providerLabel}</div>
          </th>
          <td className="px-4 py-3" data-column="availability">
            <Availability available={model.available} />
          </td>
          <td className="px-4 py-3 whitespace-nowrap tabular-nums" data-column="input">
            {pricePerMillion(model.price.input)}
          </td>
          <td className="px-4 py-3 whitespace-nowrap tabular-nums" data-column="output">
            {pricePerMillion(model.price.output, model.maxOutputTokens > 0)}
          </td>
          <td className="px-4 py-3 whitespace-nowrap tabular-nums" data-column="cached-input">
            {pricePerMillion(model.price.cachedInput)}
          </td>
          <td className="px-4 py-3 whitespace-nowrap tabular-nums" data-column="context">
            {tokens(model.contextWindow)}
          </td>
          <td className="px-4 py-3 whitespace-nowrap tabular-nums" data-column="max-output">
            {tokens(model.maxOutputTokens)}
          </td>
          <td className="px-4 py-3 whitespace-nowrap">{operationsLabel(model.operations)}</td>
        </tr>
      ))}
    </Table>
  );
}
