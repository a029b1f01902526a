import { useEffect, useState } from 'preact/hooks';

/** History-API routing: the server answers every console path with index.html. */
export function usePath(): [string, (path: string) => void] {
  const [path, setPath] = useState(location.pathname + location.search);
  useEffect(() => {
    const onPop = () => setPath(location.pathname + location.search);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const navigate = (next: string) => {
    if (next === location.pathname + location.search) return;
    history.pushState(null, '', next);
    setPath(next);
  };
  return [path, navigate];
}
