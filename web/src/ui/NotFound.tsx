import { Topbar } from './Topbar.js';

export function NotFound() {
  return (
    <>
      <Topbar title="Not found" />
      <main class="page narrow">
        <h1>Nothing here</h1>
        <p class="muted">This page does not exist. Check the link, or start again from the home page.</p>
        <a class="btn" href="/">
          Home
        </a>
      </main>
    </>
  );
}
