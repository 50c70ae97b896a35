// Linking a recording to its activity (A4.1): pure rule, no I/O. A recording belongs to the
// activity whose team holds the officer who held the device, or whose devices include the
// device, and whose window — arrival to end, widened by a slack for clocks and for switching
// the camera on a little early or off a little late — contains the recording's corrected start.
// Nothing matching means the recording is outside any activity: UNLINKED.

export const DEFAULT_LINK_SLACK_MS = 10 * 60_000;

export interface LinkRecording {
  holderId: string | null;
  deviceId: string;
  /** Corrected start, epoch ms; null when the time is unknown. */
  recordedAt: number | null;
  /** Corrected end, epoch ms; null (or equal to recordedAt) for a photo. */
  endedAt: number | null;
}

export interface LinkCandidate {
  id: string;
  arrivedAt: number | null;
  /** null: still in progress, the window is open at its end. */
  endedAt: number | null;
  plannedAt: number;
  officerIds: readonly string[];
  deviceIds: readonly string[];
  status: string;
}

export type LinkReason =
  /** Exactly one activity matched. */
  | 'MATCHED'
  /** Several matched; the one with the greatest overlap (then earliest arrival) won. */
  | 'BEST_OF_SEVERAL'
  /** The recording has no usable time. */
  | 'NO_TIME'
  /** No activity of the holder or device among the candidates (the service offers only those around the time). */
  | 'NO_ACTIVITY'
  /** The holder's or device's activities exist, but none was under way then (or had no times). */
  | 'OUTSIDE_WINDOWS';

export interface LinkChoice {
  activityId: string | null;
  reason: LinkReason;
  /** How many activities matched (for the audit trail when several did). */
  matches: number;
}

/** The window an activity claims, slack included; null when it has no arrival time or is cancelled. */
export function activityWindow(
  a: Pick<LinkCandidate, 'arrivedAt' | 'endedAt' | 'status'>,
  slackMs: number,
): { from: number; to: number } | null {
  if (a.status === 'cancelled' || a.arrivedAt === null) return null;
  return { from: a.arrivedAt - slackMs, to: a.endedAt === null ? Infinity : a.endedAt + slackMs };
}

export function chooseActivity(
  recording: LinkRecording,
  candidates: readonly LinkCandidate[],
  options: { slackMs?: number } = {},
): LinkChoice {
  const slackMs = options.slackMs ?? DEFAULT_LINK_SLACK_MS;
  if (!Number.isFinite(slackMs) || slackMs < 0) throw new RangeError('slackMs must be a non-negative number');
  const start = recording.recordedAt;
  if (start === null || !Number.isFinite(start)) return { activityId: null, reason: 'NO_TIME', matches: 0 };
  const end = recording.endedAt !== null && recording.endedAt > start ? recording.endedAt : start;

  const ours = candidates.filter(
    (c) =>
      (recording.holderId !== null && c.officerIds.includes(recording.holderId)) ||
      c.deviceIds.includes(recording.deviceId),
  );
  if (ours.length === 0) return { activityId: null, reason: 'NO_ACTIVITY', matches: 0 };

  const matches: { id: string; overlap: number; arrivedAt: number }[] = [];
  for (const c of ours) {
    const w = activityWindow(c, slackMs);
    if (!w || start < w.from || start > w.to) continue;
    matches.push({
      id: c.id,
      overlap: Math.min(end, w.to) - Math.max(start, w.from),
      arrivedAt: c.arrivedAt!,
    });
  }
  if (matches.length === 0) return { activityId: null, reason: 'OUTSIDE_WINDOWS', matches: 0 };
  matches.sort((a, b) => b.overlap - a.overlap || a.arrivedAt - b.arrivedAt || (a.id < b.id ? -1 : 1));
  return {
    activityId: matches[0]!.id,
    reason: matches.length === 1 ? 'MATCHED' : 'BEST_OF_SEVERAL',
    matches: matches.length,
  };
}
