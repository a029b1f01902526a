import { render } from 'preact';
import { App } from './app/app.js';
import './styles.css';

const root = document.getElementById('app')!;
// Preact diffs against what is already there: drop the boot message first.
root.textContent = '';
render(<App />, root);
