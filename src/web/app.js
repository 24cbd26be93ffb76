// The search page: everything goes through the public GraphQL API at /graphql.

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 24;
const IMAGE_FIELDS = 'id filename url thumbnailUrl width height labels(limit: 3) { word score }';
const CONNECTION = `edges { score relevance band node { ${IMAGE_FIELDS} } } pageInfo { hasNextPage endCursor }
  minScore cutOff usedWords ignoredWords { word reason suggestions }`;

const Q = {
  stats:
    'query Stats { stats { imageCount vocabularySize labelCount store models { role name dimension provider } } }',
  search: `query SearchImages($text: String!, $first: Int, $after: String, $minScore: Float) {
    searchImages(text: $text, first: $first, after: $after, minScore: $minScore) { ${CONNECTION} } }`,
  images: `query Images($first: Int, $after: String) { images(first: $first, after: $after) { ${CONNECTION} } }`,
  similar: `query SimilarImages($id: ID!, $first: Int, $after: String, $minScore: Float) {
    similarImages(id: $id, first: $first, after: $after, minScore: $minScore) { ${CONNECTION} } }`,
  image:
    'query Image($id: ID!) { image(id: $id) { id filename url width height labels(limit: 20) { word score } } }',
  classify: `mutation Classify($image: Upload!, $limit: Int, $store: Boolean) {
    classify(image: $image, limit: $limit, store: $store) { id labels { word score } image { id } } }`,
};

class ApiError extends Error {
  constructor(message, code, extensions = {}) {
    super(message);
    this.code = code;
    this.extensions = extensions;
  }
}

/** One GraphQL request; `file` makes it a multipart upload of variables.image. */
async function gql(query, variables = {}, { file, signal } = {}) {
  const init = { method: 'POST', signal, headers: {} };
  if (file) {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query, variables: { ...variables, image: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.image'] }));
    form.append('0', file, file.name);
    init.body = form;
    init.headers['apollo-require-preflight'] = 'true'; // CSRF prevention on multipart requests
  } else {
    init.body = JSON.stringify({ query, variables });
    init.headers['content-type'] = 'application/json';
  }
  let body;
  try {
    const res = await fetch('/graphql', init);
    body = await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }));
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError('The server cannot be reached.', 'NETWORK');
  }
  const error = body.errors?.[0];
  if (error) throw new ApiError(error.message, error.extensions?.code, error.extensions);
  return body.data;
}

// ---------- messages

const TITLES = {
  UNKNOWN_WORD: 'Unknown word',
  UNSUPPORTED_IMAGE: 'Unsupported image',
  IMAGE_TOO_LARGE: 'Image too large',
  SERVER_BUSY: 'The server is busy, try again in a moment',
  STORE_UNAVAILABLE: 'The image store is unavailable',
  UNAUTHENTICATED: 'This server needs an API key for that',
  BAD_USER_INPUT: 'Invalid input',
  NOT_FOUND: 'Not found',
  NETWORK: 'Network error',
};

/** Shows an API error in `box` (an alert next to what failed). */
function showError(box, error) {
  if (error.name === 'AbortError') return;
  box.replaceChildren();
  const words = error.extensions.words;
  if (error.code === 'UNKNOWN_WORD' && Array.isArray(words)) box.append(`Unknown word: ${words.join(', ')}.`);
  else if (TITLES[error.code] && !error.message.toLowerCase().startsWith(TITLES[error.code].toLowerCase())) {
    box.append(`${TITLES[error.code]}: ${error.message}`);
  } else box.append(error.message.charAt(0).toUpperCase() + error.message.slice(1));
  // Unknown words come with spelling suggestions: offer them as links that search again.
  const suggestions = error.code === 'UNKNOWN_WORD' ? (error.extensions.suggestions ?? {}) : {};
  for (const [word, options] of Object.entries(suggestions)) {
    if (!options.length) continue;
    const line = document.createElement('p');
    line.append(`Instead of “${word}”, did you mean `);
    options.forEach((option, i) => {
      const link = document.createElement('a');
      link.href = `?q=${encodeURIComponent(option)}`;
      link.textContent = option;
      link.addEventListener('click', (event) => {
        event.preventDefault();
        const input = $('search-input');
        input.value = replaceWord(input.value, word, option);
        search(input.value);
      });
      line.append(i ? ', ' : '', link);
    });
    line.append('?');
    box.append(line);
  }
  box.hidden = false;
}

function clearError(box) {
  box.hidden = true;
  box.replaceChildren();
}

function replaceWord(text, word, replacement) {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const replaced = text.replace(
    new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}(?=$|[^\\p{L}\\p{N}])`, 'iu'),
    `$1${replacement}`,
  );
  return replaced === text ? replacement : replaced;
}

// ---------- status line

async function loadStats() {
  try {
    const { stats } = await gql(Q.stats);
    const n = (x) => x.toLocaleString('en');
    const models = stats.models
      .map((m) => `${m.name} (${m.role}, ${m.dimension}-d, ${m.provider})`)
      .join(', ');
    $('status').textContent =
      `${n(stats.imageCount)} images · ${n(stats.vocabularySize)} words · ${n(stats.labelCount)} labels · ` +
      `store: ${stats.store} · models: ${models}`;
  } catch (error) {
    $('status').textContent = `Status unavailable: ${error.message}`;
  }
}

// ---------- tag clouds

/** A score with `digits` decimals, never "-0.00". */
const fixed = (x, digits) => (Number(x.toFixed(digits)) || 0).toFixed(digits);

/** A list of word buttons sized by score; choosing one searches for it. */
function renderTags(list, labels) {
  list.replaceChildren();
  if (!labels.length) {
    const none = document.createElement('li');
    none.textContent = 'No tags above the minimum score.';
    list.append(none);
    return;
  }
  const scores = labels.map((l) => l.score);
  const [min, max] = [Math.min(...scores), Math.max(...scores)];
  for (const { word, score } of labels) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'tag';
    button.textContent = word;
    button.title = `score ${fixed(score, 3)}`;
    const weight = max > min ? (score - min) / (max - min) : 1;
    button.style.fontSize = `${(0.9 + weight * 1.3).toFixed(2)}rem`;
    button.addEventListener('click', () => {
      if ($('detail').open) $('detail').close();
      const input = $('search-input');
      input.value = word;
      search(word).then(() => $('results-heading').focus());
    });
    item.append(button);
    list.append(item);
  }
}

// ---------- result grids

function altText(node) {
  const words = node.labels?.map((l) => l.word) ?? [];
  return words.length ? `${node.filename}, looks like ${words.join(', ')}` : node.filename;
}

const BANDS = { STRONG: 'strong match', WEAK: 'weak match', BELOW_CUTOFF: 'below cut-off' };

function resultItem(edge, withScore) {
  const { node } = edge;
  const item = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'result';
  const img = document.createElement('img');
  img.src = node.thumbnailUrl;
  img.alt = altText(node);
  img.loading = 'lazy';
  img.width = 160;
  img.height = 160;
  const caption = document.createElement('span');
  caption.className = 'caption';
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = node.filename;
  caption.append(name);
  if (withScore) {
    const score = document.createElement('span');
    score.className = 'score';
    score.textContent = `score ${fixed(edge.score, 2)}`;
    if (edge.band) {
      const band = document.createElement('span');
      band.className = `band band-${edge.band.toLowerCase()}`;
      band.dataset.testid = 'band';
      band.textContent = BANDS[edge.band];
      if (edge.relevance !== null) band.title = `estimated relevance ${Math.round(edge.relevance * 100)} %`;
      caption.append(band);
    }
    caption.append(score);
  }
  if (node.labels?.length) {
    const tags = document.createElement('span');
    tags.className = 'card-tags';
    tags.textContent = node.labels.map((l) => `${l.word} ${fixed(l.score, 2)}`).join(' · ');
    caption.append(tags);
  }
  button.append(img, caption);
  button.addEventListener('click', () => openDetail(node));
  item.append(button);
  return item;
}

/**
 * A grid paged with a More button. `load(after, signal, minScore)` returns an ImageConnection; a new
 * `show` cancels the request in flight, so answers to old queries never land. Where the server cut the
 * list at its relevance cut-off, `cut` says so and offers the weaker matches (minScore −1).
 */
function pager(list, more, messages, { empty, cut, onPage } = {}) {
  let load;
  let withScore = true;
  let after = null;
  let minScore;
  let controller;

  async function next(reset) {
    controller?.abort();
    const current = (controller = new AbortController());
    more.disabled = true;
    list.setAttribute('aria-busy', 'true');
    try {
      const page = await load(reset ? null : after, current.signal, minScore);
      if (current.signal.aborted) return;
      if (reset) list.replaceChildren();
      list.append(...page.edges.map((e) => resultItem(e, withScore)));
      after = page.pageInfo.endCursor;
      more.hidden = !page.pageInfo.hasNextPage;
      if (empty) empty.hidden = list.children.length > 0;
      if (cut) showCut(cut, page, list.children.length);
      onPage?.(page);
    } catch (error) {
      if (current.signal.aborted) return;
      if (reset) list.replaceChildren();
      if (empty) empty.hidden = true;
      more.hidden = true;
      showError(messages, error);
    } finally {
      if (!current.signal.aborted) {
        more.disabled = false;
        list.removeAttribute('aria-busy');
      }
    }
  }

  function showCut(box, page, shown) {
    box.hidden = !(page.cutOff && !page.pageInfo.hasNextPage);
    if (box.hidden) return;
    box.replaceChildren(
      `${shown} ${shown === 1 ? 'match' : 'matches'}; the list ends at the relevance cut-off ` +
        `(score ${fixed(page.minScore, 2)}). `,
    );
    const weaker = document.createElement('button');
    weaker.type = 'button';
    weaker.className = 'link';
    weaker.textContent = 'Show weaker matches';
    weaker.addEventListener('click', () => {
      minScore = -1;
      next(true);
    });
    box.append(weaker);
  }

  more.addEventListener('click', () => next(false));
  return {
    show(loader, scores) {
      load = loader;
      withScore = scores;
      minScore = undefined;
      return next(true);
    },
  };
}

/** Which words of a phrase made the search, and which were left out. */
function showQueryWords(page) {
  const box = $('query-words');
  box.hidden = !page.usedWords;
  if (!page.usedWords) return;
  const ignored = (page.ignoredWords ?? []).map((w) =>
    w.reason === 'STOP_WORD'
      ? `“${w.word}” (stop word)`
      : `“${w.word}” (unknown${w.suggestions.length ? `; did you mean ${w.suggestions.slice(0, 3).join(', ')}?` : ''})`,
  );
  box.textContent =
    `Searched for: ${page.usedWords.join(', ')}` +
    (ignored.length ? ` · left out: ${ignored.join(', ')}` : '');
}

const results = pager($('search-results'), $('more'), $('search-message'), {
  empty: $('empty'),
  cut: $('cut-note'),
  onPage: showQueryWords,
});
const similar = pager($('similar'), $('similar-more'), $('detail-message'), { cut: $('similar-cut') });

// ---------- search

let lastSearch;

function search(raw) {
  const text = raw.trim();
  if (text === lastSearch) return Promise.resolve();
  lastSearch = text;
  clearError($('search-message'));
  const url = new URL(location.href);
  if (text) url.searchParams.set('q', text);
  else url.searchParams.delete('q');
  history.replaceState(null, '', url);
  if (!text) {
    $('query-words').hidden = true;
    $('results-heading').textContent = 'Collection';
    return results.show(
      async (after, signal) => (await gql(Q.images, { first: PAGE_SIZE, after }, { signal })).images,
      false,
    );
  }
  $('results-heading').textContent = `Images for “${text}”`;
  return results.show(
    async (after, signal, minScore) =>
      (await gql(Q.search, { text, first: PAGE_SIZE, after, minScore }, { signal })).searchImages,
    true,
  );
}

let debounce;
$('search-input').addEventListener('input', (event) => {
  clearTimeout(debounce);
  debounce = setTimeout(() => search(event.target.value), 300);
});
$('search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(debounce);
  search($('search-input').value);
});

// ---------- one image: its tags and similar images

async function openDetail(node) {
  const dialog = $('detail');
  $('detail-title').textContent = node.filename;
  $('detail-image').src = node.url;
  $('detail-image').alt = altText(node);
  $('detail-link').href = node.url;
  $('detail-tags').replaceChildren();
  clearError($('detail-message'));
  if (!dialog.open) dialog.showModal();
  const tags = gql(Q.image, { id: node.id })
    .then(({ image }) => renderTags($('detail-tags'), image?.labels ?? []))
    .catch((error) => showError($('detail-message'), error));
  const looksLike = similar.show(
    async (after, signal, minScore) =>
      (await gql(Q.similar, { id: node.id, first: 12, after, minScore }, { signal })).similarImages,
    true,
  );
  await Promise.all([tags, looksLike]);
}

$('detail-close').addEventListener('click', () => $('detail').close());
// A click on the backdrop (outside the dialog's box) closes it too.
$('detail').addEventListener('click', (event) => {
  if (event.target === $('detail')) $('detail').close();
});

// ---------- upload: tags for an image

let previewUrl;
let uploads = 0;

async function classify(file) {
  if (!file) return;
  const mine = ++uploads; // a newer upload wins over one still in flight
  clearError($('upload-message'));
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(file);
  // Browsers cannot show every format the server reads (TIFF, HEIF): the preview is best effort.
  $('upload-preview').hidden = !file.type.startsWith('image/');
  $('upload-preview').src = previewUrl;
  $('upload-preview').alt = `Your image ${file.name}`;
  $('upload-title').textContent = `Tags for ${file.name}`;
  $('tag-cloud').replaceChildren();
  $('tag-cloud').setAttribute('aria-busy', 'true');
  $('upload-result').hidden = false;
  const store = $('store-input').checked;
  try {
    const { classify: result } = await gql(Q.classify, { limit: 20, store }, { file });
    if (mine !== uploads) return;
    renderTags($('tag-cloud'), result.labels);
    if (result.image) {
      $('upload-title').textContent = `Tags for ${file.name} (stored)`;
      loadStats();
      // Showing the collection: list it again with the new image.
      if (!lastSearch) {
        lastSearch = undefined;
        search('');
      }
    }
  } catch (error) {
    if (mine !== uploads) return;
    $('upload-result').hidden = true;
    showError($('upload-message'), error);
  } finally {
    if (mine === uploads) $('tag-cloud').removeAttribute('aria-busy');
  }
}

$('upload-input').addEventListener('change', (event) => classify(event.target.files[0]));
const zone = $('drop-zone');
zone.addEventListener('dragover', (event) => {
  event.preventDefault();
  zone.classList.add('over');
});
zone.addEventListener('dragleave', () => zone.classList.remove('over'));
zone.addEventListener('drop', (event) => {
  event.preventDefault();
  zone.classList.remove('over');
  classify(event.dataTransfer.files[0]);
});

// ---------- start

const initial = new URL(location.href).searchParams.get('q') ?? '';
$('search-input').value = initial;
loadStats();
search(initial);
