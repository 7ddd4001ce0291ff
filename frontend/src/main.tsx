import './config/zod';
// The page's base styles first: components' own stylesheets, imported by them, come after and build on them.
import './styles/base.css';
import './styles/controls.css';
import './styles/table.css';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { Alert } from './components/Alert';
import { setConfig } from './config/config';
import { env } from './config/env';
import { loadRuntimeConfig } from './config/runtime-config';

const container = document.getElementById('root');
if (!container) throw new Error('Missing #root element in index.html');
const root = createRoot(container);

// config.json sits next to index.html, wherever the dashboard is hosted (the build uses relative paths).
loadRuntimeConfig({ url: new URL('config.json', document.baseURI).href, fallback: env }).then(
  (config) => {
    setConfig(config);
    root.render(<App />);
  },
  (error: unknown) => {
    console.error(error);
    root.render(
      <div className="page">
        <Alert title="The dashboard could not load its configuration." testId="config-error">
          {(error as Error).message}
        </Alert>
      </div>,
    );
  },
);
