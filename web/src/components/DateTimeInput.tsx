import { useEffect, useState } from 'react';
import { Button, Input, Space } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { readingNow, type ClockReading } from '../lib/registry';
import { DISPLAY_TZ } from '../lib/time';

const fmt = (seconds: boolean) => (seconds ? 'YYYY-MM-DDTHH:mm:ss' : 'YYYY-MM-DDTHH:mm');
const toInput = (ms: number, seconds: boolean) => dayjs(ms).tz(DISPLAY_TZ).format(fmt(seconds));
const fromInput = (v: string): number | null => (v ? dayjs.tz(v, DISPLAY_TZ).valueOf() : null);

/**
 * A date and time in the units' time zone, as the phone's own picker (datetime-local):
 * usable with a thumb at 390 px, and typed segment by segment on a desktop.
 */
export function DateTimeInput({
  value,
  onChange,
  seconds = false,
  id,
  disabled,
  nowButton = false,
  style,
}: {
  value?: number | null;
  onChange?: (v: number | null) => void;
  seconds?: boolean;
  id?: string;
  disabled?: boolean;
  /** A "now" button beside the field. */
  nowButton?: boolean;
  style?: React.CSSProperties;
}) {
  const { t } = useTranslation();
  const input = (
    <Input
      id={id}
      type="datetime-local"
      step={seconds ? 1 : 60}
      disabled={disabled}
      value={value === null || value === undefined ? '' : toInput(value, seconds)}
      onChange={(e) => onChange?.(fromInput(e.target.value))}
      style={nowButton ? { flex: 1, minWidth: 0 } : style}
    />
  );
  if (!nowButton) return input;
  return (
    <Space.Compact style={{ width: '100%', ...style }}>
      {input}
      <Button disabled={disabled} onClick={() => onChange?.(Date.now())}>
        {t('common.now')}
      </Button>
    </Space.Compact>
  );
}

/**
 * The time a device's screen shows, to the second. Left alone it runs like a clock
 * (from the phone's time); once the officer types what the device shows, it runs on
 * from that reading, so the value sent is what the device shows at the moment of sending.
 */
export function DeviceClockInput({
  value,
  onChange,
  id,
}: {
  value?: ClockReading;
  onChange?: (v: ClockReading) => void;
  id?: string;
}) {
  const { t } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  // While the officer types, the field holds still.
  const [frozen, setFrozen] = useState<number | null>(null);
  useEffect(() => {
    if (frozen !== null) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [frozen]);
  const reading = value ?? { shown: now, readAt: now };
  const shown = frozen ?? readingNow(reading, now);
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Input
        id={id}
        type="datetime-local"
        step={1}
        value={toInput(shown, true)}
        onFocus={() => setFrozen(readingNow(reading))}
        onBlur={() => {
          setFrozen(null);
          setNow(Date.now());
        }}
        onChange={(e) => {
          const v = fromInput(e.target.value);
          if (v === null) return; // a half-typed value: wait for the rest
          setFrozen(v);
          onChange?.({ shown: v, readAt: Date.now() });
        }}
        style={{ flex: 1, minWidth: 0, fontVariantNumeric: 'tabular-nums' }}
        data-testid="device-clock"
      />
      <Button
        onClick={() => {
          const n = Date.now();
          setFrozen(null);
          setNow(n);
          onChange?.({ shown: n, readAt: n });
        }}
      >
        {t('common.now')}
      </Button>
    </Space.Compact>
  );
}
