// The embedding model of "your" ingestion code, as a LangChain Embeddings class. In a real project this is
// `OpenAIEmbeddings` from @langchain/openai (or Ollama, Cohere…); here it wraps ragbench's offline hashing
// embedder so the example runs without a network. ragbench loads this same class to embed queries
// (`embedder: { kind: langchain, module: ../evals/production/embeddings.mjs, export: OfflineEmbeddings }` in
// retrievers/production-pgvector.yaml: module paths are relative to the YAML file).
import { Embeddings } from '@langchain/core/embeddings';
import { embedders } from 'ragbench';

export class OfflineEmbeddings extends Embeddings {
  #embedder;
  constructor(fields = {}) {
    super(fields);
    const options = embedders.hashing.options.parse({ dimensions: fields.dimensions ?? 384, charNgrams: fields.charNgrams ?? [3, 4, 5] });
    this.#embedder = embedders.hashing.create(options, {});
  }
  async embedDocuments(texts) {
    const embedder = await this.#embedder;
    return (await embedder.embed(texts, 'document')).map((vector) => Array.from(vector));
  }
  async embedQuery(text) {
    return (await this.embedDocuments([text]))[0];
  }
}
