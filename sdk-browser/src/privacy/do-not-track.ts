type PrivacyNavigator = Navigator & { msDoNotTrack?: string; globalPrivacyControl?: boolean };

/** The browser's Do-Not-Track signal (`navigator.doNotTrack`, with the old IE/Safari spellings). */
export function doNotTrack(): boolean {
  const n = navigator as PrivacyNavigator;
  const w = window as unknown as { doNotTrack?: string };
  return n.doNotTrack == '1' || n.doNotTrack == 'yes' || n.msDoNotTrack == '1' || w.doNotTrack == '1';
}

/** Global Privacy Control: the shopper opts out of sale/sharing (marketing use). */
export function globalPrivacyControl(): boolean {
  return (navigator as PrivacyNavigator).globalPrivacyControl === true;
}
