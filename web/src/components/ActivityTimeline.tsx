import { useMemo, useState, type CSSProperties, type ReactNode } from 'react';
import { Button, Empty, Flex, Popover, Slider, Space, Tooltip, Typography } from 'antd';
import {
  LeftOutlined,
  RightOutlined,
  UndoOutlined,
  ZoomInOutlined,
  ZoomOutOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { recordings as recordingsApi, type RecordingItem } from '../api/collection';
import type { ActivityCompliance, Interval, Lane, MarkerKind } from '../api/compliance';
import type { Activity } from '../api/types';
import { formatDuration, RECORDINGS_PAGE } from '../lib/collection';
import { can } from '../lib/permissions';
import { DISPLAY_TZ, formatTime } from '../lib/time';
import { useMe } from '../lib/useMe';
import type { GapTarget } from './InterruptionDialog';
import { GAP_COLORS, gapState } from './VerdictTag';
import dayjs from 'dayjs';

const LABEL_WIDTH = 168;
const LANE_HEIGHT = 34;
const MIN_SPAN_MS = 20_000;
/** Tick steps that divide a day, so ticks fall on round wall-clock times. */
const TICK_STEPS = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200].map(
  (s) => s * 1000,
);
const ZONE_OFFSET_MS = 8 * 3_600_000; // DISPLAY_TZ (Asia/Shanghai) has no daylight saving

const MARKER_COLOR: Record<MarkerKind, string> = {
  notification: '#13c2c2',
  violation: '#eb2f96',
  evidence: '#722ed1',
  questioning: '#fa8c16',
  other: '#8c8c8c',
};
const BAR = '#1677ff';
const HATCH = 'repeating-linear-gradient(45deg, rgba(0,0,0,0.06) 0 6px, rgba(0,0,0,0.12) 6px 12px)';

function ticks(view: Interval): number[] {
  const span = view.to - view.from;
  const step = TICK_STEPS.find((s) => span / s <= 8) ?? 86_400_000;
  const first = Math.ceil((view.from + ZONE_OFFSET_MS) / step) * step - ZONE_OFFSET_MS;
  const out: number[] = [];
  for (let x = first; x <= view.to; x += step) out.push(x);
  return out;
}

const clock = (ms: number, seconds: boolean) =>
  dayjs(ms)
    .tz(DISPLAY_TZ)
    .format(seconds ? 'HH:mm:ss' : 'HH:mm');

/**
 * An activity's recording as the regulation reads it (A9.1, A11): one lane per device and
 * officer over [arrival, end], the recordings as bars, the gaps in the team's coverage
 * coloured by where their explanation stands, uncovered stretches at the edges hatched,
 * markers as ticks. Zoom and pan with the buttons or the range slider; a bar opens its
 * recording, a gap its interruption record.
 */
export function ActivityTimeline({
  activity,
  view,
  onGap,
}: {
  activity: Activity;
  view: ActivityCompliance;
  onGap: (target: GapTarget) => void;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const tl = view.timeline;
  // File-level times split a joined segment into its files where the user may list them.
  const files = useQuery({
    queryKey: ['recordings', { activity: activity.id, timeline: true }],
    queryFn: () => recordingsApi.list({ activity: activity.id, pageSize: 200 }),
    enabled: RECORDINGS_PAGE.some((p) => can(me, p)),
  });
  const fileById = useMemo(() => new Map((files.data?.items ?? []).map((r) => [r.id, r])), [files.data]);

  const full = useMemo<Interval | null>(() => {
    const xs: number[] = [];
    if (tl.window) xs.push(tl.window.from, tl.window.to);
    for (const l of tl.lanes) {
      for (const s of l.segments) xs.push(s.from, s.to);
      for (const p of l.points) xs.push(p.at);
    }
    if (!xs.length) return null;
    const from = Math.min(...xs);
    const to = Math.max(...xs);
    const pad = Math.max((to - from) * 0.03, 30_000);
    return { from: from - pad, to: to + pad };
  }, [tl]);
  const [zoom, setZoom] = useState<Interval | null>(null);

  if (!full)
    return (
      <Empty
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description={t('timeline.empty')}
        data-testid="activity-timeline"
      />
    );

  const shown: Interval = zoom ?? full;
  const span = shown.to - shown.from;
  const pct = (x: number) => ((x - shown.from) / span) * 100;
  /** Left and width of [from, to] clipped to the view; null when it lies outside. */
  const place = (from: number, to: number, minPx = 0): CSSProperties | null => {
    if (to < shown.from || from > shown.to) return null;
    const l = pct(Math.max(from, shown.from));
    const r = pct(Math.min(to, shown.to));
    return { left: `${l}%`, width: minPx ? `max(${r - l}%, ${minPx}px)` : `${r - l}%` };
  };
  const setView = (from: number, to: number) => {
    let a = Math.max(full.from, from);
    let b = Math.min(full.to, to);
    if (b - a < MIN_SPAN_MS) {
      const mid = (a + b) / 2;
      a = Math.max(full.from, mid - MIN_SPAN_MS / 2);
      b = Math.min(full.to, a + MIN_SPAN_MS);
    }
    setZoom(a <= full.from && b >= full.to ? null : { from: a, to: b });
  };
  const zoomBy = (factor: number) => {
    const mid = (shown.from + shown.to) / 2;
    const half = (span * factor) / 2;
    setView(mid - half, mid + half);
  };
  const pan = (share: number) => {
    const d = span * share;
    const from = Math.min(Math.max(shown.from + d, full.from), full.to - span);
    setView(from, from + span);
  };
  const seconds = span < 10 * 60_000;

  const officerName = (uid: string | null) =>
    activity.officers.find((o) => o.userId === uid)?.name ?? t('timeline.unknownOfficer');
  const deviceSerial = (lane: Lane) =>
    activity.devices.find((d) => d.deviceId === lane.deviceId)?.serial ??
    (files.data?.items ?? []).find((r) => r.deviceId === lane.deviceId)?.deviceSerial ??
    lane.deviceId.slice(-6);

  const early =
    tl.window &&
    view.findings.find(
      (f) => f.code === 'EARLY_STOP' && !f.withdrawn && typeof f.detail.stoppedAt === 'number',
    );
  const gapKeys = new Set(tl.gaps.map((g) => `${g.from}-${g.to}`));
  const edges = tl.uncovered.filter((u) => !gapKeys.has(`${u.from}-${u.to}`));

  /** One file's bar: its own times when known, else the whole joined segment. */
  const fileBars = (seg: { from: number; to: number; recordingIds: string[] }, lane: Lane) => {
    const known = seg.recordingIds
      .map((id) => fileById.get(id))
      .filter((r): r is RecordingItem => !!r && r.recordedAt !== null && r.durationMs !== null);
    const parts =
      known.length === seg.recordingIds.length
        ? known.map((r) => ({
            ids: [r.id],
            from: Math.max(seg.from, r.recordedAt!),
            to: Math.min(seg.to, r.recordedAt! + r.durationMs!),
          }))
        : [{ ids: seg.recordingIds, from: seg.from, to: seg.to }];
    return parts.map((p, i) => {
      const pos = place(p.from, p.to, 3);
      if (!pos) return null;
      const label = t('time.range', { from: formatTime(p.from), to: formatTime(p.to) });
      const tip = (
        <div>
          <div>{deviceSerial(lane)}</div>
          <div>{label}</div>
          <div>{formatDuration(p.to - p.from)}</div>
        </div>
      );
      const style: CSSProperties = {
        position: 'absolute',
        top: 6,
        bottom: 6,
        background: BAR,
        borderRadius: 3,
        cursor: 'pointer',
        boxShadow: 'inset -1px 0 0 #fff, inset 1px 0 0 #fff',
        ...pos,
      };
      if (p.ids.length === 1)
        return (
          <Tooltip key={`${p.ids[0]}-${i}`} title={tip}>
            <div
              role="link"
              tabIndex={0}
              aria-label={t('timeline.openRecording', { range: label })}
              data-testid="timeline-recording"
              style={style}
              onClick={() => void navigate(`/recordings/${p.ids[0]}`)}
              onKeyDown={(e) => e.key === 'Enter' && void navigate(`/recordings/${p.ids[0]}`)}
            />
          </Tooltip>
        );
      return (
        <Popover
          key={`seg-${p.from}-${i}`}
          title={label}
          content={
            <Flex vertical gap={4}>
              {p.ids.map((rid, n) => (
                <Link key={rid} to={`/recordings/${rid}`}>
                  {t('timeline.fileN', { n: String(n + 1) })}
                </Link>
              ))}
            </Flex>
          }
        >
          <div role="button" tabIndex={0} data-testid="timeline-recording" style={style} />
        </Popover>
      );
    });
  };

  const row = (key: string, label: ReactNode, children: ReactNode, testId?: string) => (
    <div key={key} style={{ display: 'flex', height: LANE_HEIGHT, borderTop: '1px solid #f0f0f0' }}>
      <div
        style={{
          width: LABEL_WIDTH,
          flex: 'none',
          paddingRight: 8,
          display: 'flex',
          alignItems: 'center',
          overflow: 'hidden',
          whiteSpace: 'nowrap',
        }}
      >
        {label}
      </div>
      <div style={{ position: 'relative', flex: 1 }} data-testid={testId}>
        {children}
      </div>
    </div>
  );

  const laneLabel = (name: string, device: string | null) => (
    <Flex vertical style={{ lineHeight: 1.2, minWidth: 0 }}>
      <Typography.Text strong ellipsis>
        {name}
      </Typography.Text>
      {device && (
        <Typography.Text type="secondary" className="zl-mono" style={{ fontSize: 11 }} ellipsis>
          {device}
        </Typography.Text>
      )}
    </Flex>
  );

  const win = tl.window;
  return (
    <div data-testid="activity-timeline">
      <Flex justify="space-between" align="center" gap={8} wrap style={{ marginBottom: 8 }}>
        <Space size={4}>
          <Tooltip title={t('timeline.panLeft')}>
            <Button
              size="small"
              icon={<LeftOutlined />}
              aria-label={t('timeline.panLeft')}
              onClick={() => pan(-0.25)}
              disabled={!zoom}
            />
          </Tooltip>
          <Tooltip title={t('timeline.zoomIn')}>
            <Button
              size="small"
              icon={<ZoomInOutlined />}
              aria-label={t('timeline.zoomIn')}
              onClick={() => zoomBy(0.5)}
            />
          </Tooltip>
          <Tooltip title={t('timeline.zoomOut')}>
            <Button
              size="small"
              icon={<ZoomOutOutlined />}
              aria-label={t('timeline.zoomOut')}
              onClick={() => zoomBy(2)}
              disabled={!zoom}
            />
          </Tooltip>
          <Tooltip title={t('timeline.panRight')}>
            <Button
              size="small"
              icon={<RightOutlined />}
              aria-label={t('timeline.panRight')}
              onClick={() => pan(0.25)}
              disabled={!zoom}
            />
          </Tooltip>
          <Button size="small" icon={<UndoOutlined />} onClick={() => setZoom(null)} disabled={!zoom}>
            {t('timeline.reset')}
          </Button>
        </Space>
        <Typography.Text type="secondary" style={{ fontVariantNumeric: 'tabular-nums' }}>
          {t('time.range', { from: formatTime(shown.from), to: formatTime(shown.to) })}
        </Typography.Text>
      </Flex>
      <div style={{ paddingLeft: LABEL_WIDTH, paddingRight: 8 }}>
        <Slider
          range
          min={full.from}
          max={full.to}
          step={1000}
          value={[shown.from, shown.to]}
          onChange={(v) => setView(v[0]!, v[1]!)}
          tooltip={{ formatter: (v) => (v === undefined ? '' : clock(v, true)) }}
          aria-label={t('timeline.range')}
          style={{ margin: '4px 0 8px' }}
        />
      </div>
      <div style={{ position: 'relative', overflow: 'hidden' }}>
        {/* time axis, with the arrival and the end */}
        <div style={{ display: 'flex', height: 26 }}>
          <div style={{ width: LABEL_WIDTH, flex: 'none' }} />
          <div style={{ position: 'relative', flex: 1 }}>
            {ticks(shown).map((x) => (
              <span
                key={x}
                className="zl-meta"
                style={{
                  position: 'absolute',
                  left: `${pct(x)}%`,
                  transform: 'translateX(-50%)',
                  top: 4,
                  fontSize: 11,
                  fontVariantNumeric: 'tabular-nums',
                  whiteSpace: 'nowrap',
                }}
              >
                {clock(x, seconds)}
              </span>
            ))}
          </div>
        </div>
        {tl.lanes.map((lane) =>
          row(
            `${lane.deviceId}-${lane.officerId}`,
            laneLabel(officerName(lane.officerId), deviceSerial(lane)),
            <>
              {lane.segments.map((s) => fileBars(s, lane))}
              {lane.points.map((p) => {
                if (p.at < shown.from || p.at > shown.to) return null;
                return (
                  <Tooltip
                    key={p.recordingId}
                    title={`${t(`recordingKind.${p.kind as 'photo'}`)} · ${formatTime(p.at)}`}
                  >
                    <Link
                      to={`/recordings/${p.recordingId}`}
                      aria-label={t('timeline.openRecording', { range: formatTime(p.at) })}
                      style={{
                        position: 'absolute',
                        left: `calc(${pct(p.at)}% - 5px)`,
                        top: LANE_HEIGHT / 2 - 5,
                        width: 10,
                        height: 10,
                        borderRadius: '50%',
                        background: '#52c41a',
                        border: '1px solid #fff',
                      }}
                    />
                  </Tooltip>
                );
              })}
              {lane.markers.map((m) => {
                if (m.at < shown.from || m.at > shown.to) return null;
                const note = view.markers.find((x) => x.id === m.id)?.note;
                return (
                  <Tooltip
                    key={m.id}
                    title={`${t(`markerKind.${m.kind}`)} · ${formatTime(m.at)}${note ? ` · ${note}` : ''}`}
                  >
                    <div
                      data-testid="timeline-marker"
                      style={{
                        position: 'absolute',
                        left: `calc(${pct(m.at)}% - 2px)`,
                        top: 1,
                        bottom: 1,
                        width: 4,
                        borderRadius: 2,
                        background: MARKER_COLOR[m.kind] ?? MARKER_COLOR.other,
                        zIndex: 2,
                      }}
                    />
                  </Tooltip>
                );
              })}
            </>,
            'timeline-lane',
          ),
        )}
        {tl.officersWithoutLane.map((uid) =>
          row(
            `none-${uid}`,
            laneLabel(officerName(uid), null),
            <Typography.Text
              type="secondary"
              style={{
                position: 'absolute',
                left: `calc(${win ? Math.max(pct(win.from), 0) : 0}% + 8px)`,
                top: 6,
              }}
            >
              {t('timeline.nothingRecorded')}
            </Typography.Text>,
          ),
        )}
        {/* room for the arrival and end labels under the lanes */}
        <div style={{ borderTop: '1px solid #f0f0f0', height: 20 }} />
        {/* the window, uncovered edges and gaps over every lane */}
        <div
          style={{
            position: 'absolute',
            left: LABEL_WIDTH,
            right: 0,
            top: 26,
            bottom: 0,
            pointerEvents: 'none',
          }}
        >
          {win &&
            [win.from, win.to].map((x, i) =>
              x >= shown.from && x <= shown.to ? (
                <div
                  key={i}
                  style={{
                    position: 'absolute',
                    left: `${pct(x)}%`,
                    top: 0,
                    bottom: 0,
                    borderLeft: '2px dashed #8c8c8c',
                  }}
                >
                  <span
                    style={{
                      position: 'absolute',
                      bottom: 2,
                      left: i === 0 ? 4 : undefined,
                      right: i === 1 ? 4 : undefined,
                      fontSize: 11,
                      background: '#fff',
                      padding: '0 2px',
                      whiteSpace: 'nowrap',
                    }}
                  >
                    {i === 0 ? t('timeline.arrival') : t('timeline.end')}
                  </span>
                </div>
              ) : null,
            )}
          {edges.map((u) => {
            const pos = place(u.from, u.to, 2);
            if (!pos) return null;
            const isEarly = !!early && win !== null && u.to === win.to;
            const tip = `${isEarly ? t('timeline.earlyStop') : t('timeline.uncovered')} · ${t('time.range', {
              from: formatTime(u.from),
              to: formatTime(u.to),
            })}`;
            return (
              <Tooltip key={`u-${u.from}`} title={tip}>
                <div
                  role={isEarly ? 'button' : undefined}
                  data-testid={isEarly ? 'timeline-early-stop' : 'timeline-uncovered'}
                  style={{
                    position: 'absolute',
                    top: 0,
                    bottom: 20,
                    background: HATCH,
                    pointerEvents: 'auto',
                    cursor: isEarly ? 'pointer' : 'default',
                    ...pos,
                  }}
                  onClick={
                    isEarly
                      ? () =>
                          onGap({
                            from: u.from,
                            to: u.to,
                            interruptionId: (early.detail.interruptionId as string | null) ?? null,
                            earlyStop: true,
                          })
                      : undefined
                  }
                />
              </Tooltip>
            );
          })}
          {tl.gaps.map((g) => {
            const pos = place(g.from, g.to, 8);
            if (!pos) return null;
            const state = gapState(g, view.interruptions);
            const c = GAP_COLORS[state];
            const label = t('time.range', { from: formatTime(g.from), to: formatTime(g.to) });
            return (
              <Tooltip
                key={`g-${g.from}`}
                title={`${t(`gapState.${state}`)} · ${label} · ${formatDuration(g.to - g.from)}`}
              >
                <div
                  role="button"
                  tabIndex={0}
                  aria-label={t('timeline.gapLabel', { range: label })}
                  data-testid="timeline-gap"
                  data-state={state}
                  style={{
                    position: 'absolute',
                    top: 0,
                    bottom: 20,
                    background: c.fill,
                    borderLeft: `2px solid ${c.edge}`,
                    borderRight: `2px solid ${c.edge}`,
                    pointerEvents: 'auto',
                    cursor: 'pointer',
                    zIndex: 3,
                    ...pos,
                  }}
                  onClick={() => onGap(g)}
                  onKeyDown={(e) => e.key === 'Enter' && onGap(g)}
                />
              </Tooltip>
            );
          })}
        </div>
      </div>
      <Legend />
    </div>
  );
}

function Legend() {
  const { t } = useTranslation();
  const box = (style: CSSProperties, label: string) => (
    <Flex gap={4} align="center" key={label}>
      <span style={{ display: 'inline-block', width: 16, height: 10, borderRadius: 2, ...style }} />
      <span className="zl-meta">{label}</span>
    </Flex>
  );
  return (
    <Flex gap={16} wrap style={{ marginTop: 10 }}>
      {box({ background: BAR }, t('timeline.legendRecording'))}
      {(Object.keys(GAP_COLORS) as (keyof typeof GAP_COLORS)[]).map((s) =>
        box(
          { background: GAP_COLORS[s].fill, border: `1px solid ${GAP_COLORS[s].edge}` },
          t('timeline.legendGap', { state: t(`gapState.${s}`) }),
        ),
      )}
      {box({ background: HATCH }, t('timeline.uncovered'))}
      {box({ background: MARKER_COLOR.notification, width: 4 }, t('timeline.legendMarker'))}
    </Flex>
  );
}
