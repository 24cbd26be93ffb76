/* global React, ReactDOM, GraphiQL -- UMD globals from /vendor (react, react-dom, graphiql) */
// GraphiQL for /graphql, loaded from this origin (see web.routes.ts), with the API's main operations as tabs.
'use strict';

(function () {
  const endpoint = `${location.origin}/graphql`;

  const uploadHelp = `# GraphiQL cannot send files. Upload with curl (GraphQL multipart request), e.g. classify:
#
#   curl ${endpoint} \\
#     -H 'apollo-require-preflight: true' \\
#     -F operations='{"query":"mutation ($image: Upload!) { classify(image: $image, limit: 10, store: false) { id labels { word score } } }","variables":{"image":null}}' \\
#     -F map='{"0":["variables.image"]}' \\
#     -F 0=@photo.jpg
#
# Several files at once (stored in the collection):
#
#   curl ${endpoint} \\
#     -H 'apollo-require-preflight: true' \\
#     -F operations='{"query":"mutation ($images: [Upload!]!) { ingestImages(images: $images) { id filename } }","variables":{"images":[null,null]}}' \\
#     -F map='{"0":["variables.images.0"],"1":["variables.images.1"]}' \\
#     -F 0=@a.jpg -F 1=@b.png
`;

  const tabs = [
    {
      query: `# visem: semantic image search. Open the docs (book icon, top left) for the whole schema.
# Run an operation with Ctrl-Enter or the ▶ button. The other tabs hold examples.
#
${uploadHelp}
query Stats {
  stats {
    imageCount
    vocabularySize
    labelCount
    store
    models { role name dimension provider }
  }
}
`,
    },
    {
      query: `# Images ranked by how close they are to a word or phrase.
query SearchImages($text: String!, $first: Int, $after: String) {
  searchImages(text: $text, first: $first, after: $after) {
    edges {
      score
      node { id filename url thumbnailUrl width height labels(limit: 5) { word score } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`,
      variables: JSON.stringify({ text: 'zebra', first: 10 }, null, 2),
    },
    {
      query: `# Tags for an uploaded image; store: true also adds it to the collection.
# Needs a file, so send it with curl:
#
${uploadHelp}
mutation Classify($image: Upload!, $limit: Int, $store: Boolean) {
  classify(image: $image, limit: $limit, store: $store) {
    id
    labels { word score }
    image { id url thumbnailUrl }
  }
}
`,
      variables: JSON.stringify({ image: null, limit: 10, store: false }, null, 2),
    },
    {
      query: `# Stored images that look like a stored image. Take an id from SearchImages or Images.
query SimilarImages($id: ID!, $first: Int) {
  similarImages(id: $id, first: $first) {
    edges { score node { id filename thumbnailUrl } }
    pageInfo { hasNextPage endCursor }
  }
}

query Images($first: Int, $after: String) {
  images(first: $first, after: $after) {
    edges { node { id filename thumbnailUrl } }
    pageInfo { hasNextPage endCursor }
  }
}
`,
      variables: JSON.stringify({ id: 'paste an image id here', first: 10 }, null, 2),
    },
    {
      query: `# Words nearest to a word or phrase in the word-vector space.
query RelatedWords($word: String!, $limit: Int) {
  relatedWords(word: $word, limit: $limit) { word score }
}
`,
      variables: JSON.stringify({ word: 'zebra', limit: 10 }, null, 2),
    },
  ];

  const fetcher = GraphiQL.createFetcher({
    url: endpoint,
    // CSRF prevention: the server refuses simple (form-like) requests without this header.
    headers: { 'apollo-require-preflight': 'true' },
  });

  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultTabs: tabs,
      defaultEditorToolsVisibility: true,
    }),
  );
})();
