// The workbench's modeler: bpmn-js with the Camunda 7 properties panel, wired to the draft's
// endpoints (load, save, lint, diff, scenarios). Bundled by esbuild (web/package.json "build")
// into web/static/designer/, which is generated and not committed.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import './modeler.css';

const MARKERS = ['lint-error', 'lint-warning', 'diff-added', 'diff-changed'];

function start(root) {
  const files = JSON.parse(root.dataset.files);
  const select = document.getElementById('file-select');
  const status = document.getElementById('status');
  const problems = document.getElementById('problems');
  const changes = document.getElementById('changes');
  const scenarios = document.getElementById('scenarios');
  let revision = Number(root.dataset.revision);
  let current = select.value;
  let dirty = false;
  let marked = [];

  const modeler = new BpmnModeler({
    container: '#canvas',
    propertiesPanel: { parent: '#properties' },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule,
      CamundaBehaviorsModule,
    ],
    moddleExtensions: { camunda: camundaModdle },
  });
  window.allianssiModeler = modeler; // for the browser tests and the curious
  modeler.on('commandStack.changed', () => { dirty = true; say('unsaved changes', 'unsaved'); });

  // state: a fixed English word for scripts and tests; the person reads the text in their language
  const texts = JSON.parse(root.dataset.texts || '{}');
  function say(state, key, values = {}) {
    root.dataset.state = state;
    status.textContent = (texts[key] || state).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ''));
  }
  const fileUrl = (name) => root.dataset.fileUrl.replace('__NAME__', encodeURIComponent(name));

  async function request(url, options = {}) {
    const response = await fetch(url, {
      credentials: 'same-origin', ...options,
      headers: { 'X-CSRF-Token': root.dataset.csrf, ...(options.headers || {}) },
    });
    const body = (response.headers.get('Content-Type') || '').includes('json') ? await response.json() : await response.text();
    if (!response.ok) { throw new Error((body && body.error) || `${response.status}`); }
    return body;
  }

  async function open(name) {
    const xml = await request(fileUrl(name));
    await modeler.importXML(xml);
    modeler.get('canvas').zoom('fit-viewport');
    current = name; dirty = false; marked = [];
    say(`opened ${name}`, 'opened', { name });
  }

  async function save() {
    if (!dirty) { return; }
    const { xml } = await modeler.saveXML({ format: true });
    const body = await request(fileUrl(current), {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ xml, revision }),
    });
    revision = body.revision; dirty = false;
    const deployRevision = document.getElementById('deploy-revision');
    if (deployRevision) { deployRevision.value = String(revision); }
    say(`saved, revision ${revision}`, 'saved', { revision });
  }

  function clearMarkers() {
    const canvas = modeler.get('canvas');
    for (const [id, marker] of marked) { try { canvas.removeMarker(id, marker); } catch (e) { /* gone */ } }
    marked = [];
  }

  function mark(id, marker) {
    const element = id && modeler.get('elementRegistry').get(id);
    if (element) { modeler.get('canvas').addMarker(element, marker); marked.push([element, marker]); }
    return Boolean(element);
  }

  function selectElement(id) {
    const element = modeler.get('elementRegistry').get(id);
    if (!element) { return; }
    modeler.get('selection').select(element);
    modeler.get('canvas').scrollToElement(element);
  }

  function item(list, text, className, elementId, file) {
    const li = document.createElement('li');
    li.className = className;
    const button = document.createElement('button');
    button.type = 'button'; button.className = 'finding-button'; button.textContent = text;
    button.dataset.element = elementId || ''; button.dataset.file = file || '';
    li.appendChild(button);
    list.appendChild(li);
  }

  async function lint() {
    await save();
    say('linting', 'linting');
    const body = await request(root.dataset.lintUrl, { method: 'POST' });
    problems.textContent = ''; clearMarkers();
    for (const f of body.findings) {
      const where = `${f.file}${f.line ? ':' + f.line : ''}${f.element_id ? ' [' + f.element_id + ']' : ''}`;
      item(problems, `${f.severity} ${where}: ${f.message}${f.rule ? ' (' + f.rule + ')' : ''} [${f.source}]`,
        `problem problem-${f.severity}`, f.element_id, f.file);
      if (f.file === current) { mark(f.element_id, f.severity === 'error' ? 'lint-error' : 'lint-warning'); }
    }
    if (!body.findings.length) { item(problems, texts.no_problems || 'No problems.', 'problem-none'); }
    say(body.errors ? 'lint: errors found' : 'lint: no errors', body.errors ? 'lint_errors' : 'lint_ok');
  }

  async function diff() {
    await save();
    const body = await request(root.dataset.diffUrl);
    changes.textContent = ''; clearMarkers();
    for (const c of body.changes) {
      item(changes, `${c.change}: ${c.element_id} ${c.name} (${c.kind}, ${c.file})${c.details.length ? ' — ' + c.details.join('; ') : ''}`,
        `change change-${c.change}`, c.element_id, c.file);
      if (c.file === current && c.change !== 'removed') { mark(c.element_id, `diff-${c.change}`); }
    }
    if (!body.changes.length) { item(changes, texts.no_changes || 'No changes.', 'change-none'); }
    say(`diff: ${body.changes.length} change(s)`, 'diff', { n: body.changes.length });
  }

  async function test() {
    await save();
    say('running scenarios', 'running');
    const body = await request(root.dataset.testUrl, { method: 'POST' });
    scenarios.textContent = '';
    for (const r of body.results) {
      item(scenarios, `${r.passed ? 'pass' : 'FAIL'} ${r.file}: ${r.name}${r.failure ? ' — ' + r.failure : ''}`,
        r.passed ? 'scenario-pass' : 'scenario-fail');
    }
    if (!body.results.length) { item(scenarios, texts.no_scenarios || 'No scenario files.', 'scenario-none'); }
    const passed = body.results.filter((r) => r.passed).length;
    say(`scenarios: ${passed} of ${body.results.length} passed`, 'scenarios', { passed, n: body.results.length });
  }

  const guarded = (action) => (...args) => action(...args).catch(
    (error) => say(`error: ${error.message}`, 'error', { message: error.message }));
  document.getElementById('save-button').addEventListener('click', guarded(save));
  document.getElementById('lint-button').addEventListener('click', guarded(lint));
  document.getElementById('diff-button').addEventListener('click', guarded(diff));
  document.getElementById('test-button').addEventListener('click', guarded(test));
  select.addEventListener('change', guarded(async () => { await save(); await open(select.value); }));
  for (const list of [problems, changes]) {
    list.addEventListener('click', guarded(async (event) => {
      const button = event.target.closest('button[data-element]');
      if (!button || !button.dataset.element) { return; }
      if (button.dataset.file && button.dataset.file !== current && files.includes(button.dataset.file)) {
        await save(); select.value = button.dataset.file; await open(button.dataset.file);
      }
      selectElement(button.dataset.element);
    }));
  }
  const form = document.getElementById('deploy-form');
  if (form) {
    form.addEventListener('submit', (event) => {
      if (!dirty) { return; }
      event.preventDefault();
      save().then(() => form.submit()).catch((error) => say(`error: ${error.message}`, 'error', { message: error.message }));
    });
  }
  if (current) { guarded(() => open(current))(); }
}

// A version diff page: each changed file drawn read-only, its added and changed elements coloured.
async function showDiff(container) {
  const viewer = new NavigatedViewer({ container, moddleExtensions: { camunda: camundaModdle } });
  const response = await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' });
  await viewer.importXML(await response.text());
  viewer.get('canvas').zoom('fit-viewport');
  const registry = viewer.get('elementRegistry');
  for (const [id, change] of Object.entries(JSON.parse(container.dataset.marks))) {
    const element = registry.get(id);
    if (element) { viewer.get('canvas').addMarker(element, `diff-${change}`); }
  }
  container.dataset.state = 'drawn';
}

document.addEventListener('DOMContentLoaded', () => {
  const root = document.getElementById('workbench');
  if (root) { start(root); }
  for (const container of document.querySelectorAll('.diff-canvas')) {
    showDiff(container).catch((error) => { container.textContent = `error: ${error.message}`; });
  }
});
