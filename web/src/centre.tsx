// The centre the coordinator is looking at: one of the centres in their token.
import { type ComponentChildren, createContext } from 'preact';
import { useContext, useState } from 'preact/hooks';
import { useGet } from './api.ts';
import { useI18n } from './i18n.tsx';
import type { Session } from './session.ts';

interface CentreChoice {
  centreId: string;
  centres: { id: string; name: string }[];
  choose(id: string): void;
}

const CentreContext = createContext<CentreChoice | undefined>(undefined);

export function CentreProvider({ session, children }: { session: Session; children: ComponentChildren }) {
  const [centreId, choose] = useState(session.centres[0] ?? '');
  const listed = useGet<{ centres: { id: string; name: string }[] }>('/api/centres');
  const centres = session.centres.map((id) => ({
    id,
    name: listed.data?.centres.find((c) => c.id === id)?.name ?? id,
  }));
  return <CentreContext.Provider value={{ centreId, centres, choose }}>{children}</CentreContext.Provider>;
}

export function useCentre(): CentreChoice {
  const value = useContext(CentreContext);
  if (!value) throw new Error('useCentre outside CentreProvider');
  return value;
}

export function CentrePicker() {
  const { t } = useI18n();
  const { centreId, centres, choose } = useCentre();
  if (centres.length < 2) return <span class="centre-name">{centres[0]?.name}</span>;
  return (
    <label class="centre-picker">
      <span class="visually-hidden">{t('centre')}</span>
      <select value={centreId} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
        {centres.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );
}
