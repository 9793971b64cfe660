/**
 * The datasets ragbench knows by name: where each upstream file comes from (pinned to a commit or a versioned
 * archive), its checksum, licence, citation, and which converter turns it into the BEIR layout. Data only: the
 * code that fetches and converts lives beside this file.
 */
export type DatasetKind = 'IR' | 'QA' | 'faithfulness';

export interface UpstreamFile {
  /** File name in the dataset's `raw/` folder and in a mirror (`<mirror>/<dataset>/raw/<name>`). */
  readonly name: string;
  /** Where it is downloaded from when no mirror is given. */
  readonly url: string;
  /** Human-readable pin: repository, commit and path (or the archive's publisher). */
  readonly source: string;
  /** SHA-256 of the exact bytes. */
  readonly sha256?: string;
  /** MD5 when that is all the publisher gives (BEIR zips). */
  readonly md5?: string;
}

export interface CatalogEntry {
  readonly name: string;
  readonly kind: DatasetKind;
  readonly description: string;
  /** Approximate size of the converted folder (BEIR: of the extracted zip). */
  readonly size: string;
  readonly licence: string;
  readonly citation: string;
  readonly files: readonly UpstreamFile[];
  /** Key in converters/registry.ts. */
  readonly converter: string;
  /**
   * Why some upstream file has no pinned checksum. Such a file is accepted on first download, its SHA-256 is
   * recorded in the dataset's manifest, and `ragbench datasets verify` checks it from then on.
   */
  readonly unpinned?: string;
}

const github = (repo: string, commit: string, path: string) => ({
  url: `https://raw.githubusercontent.com/${repo}/${commit}/${path}`,
  source: `github.com/${repo}@${commit}:${path}`,
});

const glasgowLicence = 'none stated (classic research collection, freely distributed for research by the Glasgow IR group)';
const foxCitation =
  'E. A. Fox. Characterization of two new experimental collections in computer and information science containing textual and bibliographic concepts. Technical Report TR 83-561, Cornell University, 1983.';

const cranfieldRepo = ['noramtboraas/information-retrieval', '4ea1b8e02da1db64b68b0364d50620b3c95528dc'] as const;
const cisiRepo = ['Damaal/MB2', '794f3c8c94c008ecf9ab596e45cf482a5a935ab3'] as const;
const cacmRepo = ['t10le/DIEGOTOM-IR-Search-Engine', '1d3e434a0e801c4a48d6a2f284d9a3370d6e2f62'] as const;
const pubmedqaRepo = ['pubmedqa/pubmedqa', '1cbae8e92f72f20c8d3747cbb3bf5bc53554d997'] as const;
const beginRepo = ['google/BEGIN-dataset', '6e65f0d5a1ed1b9574643a7640ff1678d4e979b5'] as const;

const beirCitation =
  'Nandan Thakur, Nils Reimers, Andreas Rücklé, Abhishek Srivastava, Iryna Gurevych. BEIR: A Heterogeneous Benchmark for Zero-shot Evaluation of Information Retrieval Models. NeurIPS 2021 Datasets and Benchmarks.';

/**
 * The public BEIR zips, with the md5 sums published in the BEIR README (beir-cellar/beir); licences as listed in
 * the BEIR paper's dataset table (Thakur et al. 2021, appendix).
 */
function beir(
  name: string,
  md5: string,
  details: { description: string; size: string; licence: string; citation: string },
): CatalogEntry {
  return {
    name: `beir/${name}`,
    kind: 'IR',
    ...details,
    citation: `${details.citation} Via ${beirCitation}`,
    files: [
      {
        name: `${name}.zip`,
        url: `https://public.ukp.informatik.tu-darmstadt.de/thakur/BEIR/datasets/${name}.zip`,
        source: `BEIR public archive ${name}.zip (md5 published in github.com/beir-cellar/beir README)`,
        md5,
      },
    ],
    converter: 'beir-zip',
  };
}

export const catalog: readonly CatalogEntry[] = [
  {
    name: 'cranfield',
    kind: 'IR',
    description: 'Cranfield II: 1,400 aeronautics abstracts, 225 queries, 1,837 graded judgments',
    size: '4.4 MB',
    licence: glasgowLicence,
    citation:
      'C. W. Cleverdon, J. Mills, E. M. Keen. Factors Determining the Performance of Indexing Systems (Cranfield II), Aslib Cranfield Research Project, 1966.',
    files: [
      { name: 'cran.all.1400', ...github(...cranfieldRepo, 'cran.all.1400'), sha256: 'fbb8935a93263ab6c9fadefb507fd7cd5e101e7fbeb31c12e6bff6dd501315e8' },
      { name: 'cran.qry', ...github(...cranfieldRepo, 'cran.qry'), sha256: '99578ceb88941ef89c14faf7c63c23776a376d8fba319b990f01d0c601d8b03f' },
      { name: 'cranqrel', ...github(...cranfieldRepo, 'cranqrel'), sha256: 'a90f56082cd44db70bf2c21ebca39a1a34e37c82ccb5ddf1bcc64f18795234c7' },
      { name: 'cranqrel.readme', ...github(...cranfieldRepo, 'cranqrel.readme'), sha256: '5d5b5e72a4799df3e4ea98476ed803b2caac01d90c859a91771ac794971a1ad3' },
    ],
    converter: 'cranfield',
  },
  {
    name: 'cisi',
    kind: 'IR',
    description: 'CISI: 1,460 information-science abstracts, 112 queries (76 judged), 3,114 binary judgments',
    size: '4.1 MB',
    licence: glasgowLicence,
    citation: foxCitation,
    files: [
      { name: 'CISI.ALL', ...github(...cisiRepo, 'CISI.ALL'), sha256: 'df5af339fa4623ef33e315f39f3e13c050d17535c18360c727bf3c96ce60ba40' },
      { name: 'CISI.QRY', ...github(...cisiRepo, 'CISI.QRY'), sha256: '235dfd0fdd8e908456185a428643904a4c0f7d095b3812640cb7c35413395d25' },
      {
        name: 'CISI.REL',
        ...github('Adrien2209/NLP-Project-TFIDF', 'fcbc30499d059a4a44a91dc0d0df346bb3eea65d', 'CISI.REL'),
        sha256: 'deb203a0dc07628d14dbcbc9a9803bf3c1f86e855570edb29d907663de8d6ea9',
      },
    ],
    converter: 'cisi',
  },
  {
    name: 'cacm',
    kind: 'IR',
    description: 'CACM: 3,204 Communications of the ACM titles/abstracts, 64 queries, 796 binary judgments',
    size: '2.5 MB',
    licence: glasgowLicence,
    citation: foxCitation,
    files: [
      { name: 'cacm.all', ...github(...cacmRepo, 'cacm.all'), sha256: '34bdd3eb27a92e5f8068a785b53ef40b9dc0b800dbafc5bac79a80dd999cdc17' },
      { name: 'query.text', ...github(...cacmRepo, 'query.text'), sha256: 'e94dd3ecfa4f5664b341dd119e2e4a10bff606971f953598ec1d1111fc251806' },
      {
        name: 'qrels.text',
        ...github('kavinsan/Information-Retrieval-Project', 'feda4806b8d19af85753c580640d40e572f99339', 'qrels.text'),
        sha256: 'da4202b0c70cad7d91c9a028eaf8cbd0a4ca981ebdc3955eb75ba7b6de6f185c',
      },
    ],
    converter: 'cacm',
  },
  {
    name: 'pubmedqa-pqal',
    kind: 'QA',
    description: 'PubMedQA PQA-L: 1,000 expert-labelled yes/no/maybe questions over 3,358 abstract passages',
    size: '12 MB',
    licence: 'MIT',
    citation:
      'Qiao Jin, Bhuwan Dhingra, Zhengping Liu, William W. Cohen, Xinghua Lu. PubMedQA: A Dataset for Biomedical Research Question Answering. EMNLP-IJCNLP 2019.',
    files: [
      { name: 'ori_pqal.json', ...github(...pubmedqaRepo, 'data/ori_pqal.json'), sha256: '8b3276be8942ebbd77f3ddcda12c1749bf0e490045a736fd8438ee40cf37a41d' },
      {
        name: 'test_ground_truth.json',
        ...github(...pubmedqaRepo, 'data/test_ground_truth.json'),
        sha256: '939fe566f09017d13b1ca64d2ddfee0bc2374b366048152997669cccedc44d51',
      },
      { name: 'LICENSE', ...github(...pubmedqaRepo, 'LICENSE'), sha256: '8e75abc6136be91e5ae66dbb6dda07c8bc9dcc215ed3bc1ba3ae7fab7904777e' },
    ],
    converter: 'pubmedqa',
  },
  {
    name: 'begin-wow',
    kind: 'faithfulness',
    description: 'BEGIN (Wizard of Wikipedia part): 4,031 dialogue responses with human attribution labels',
    size: '3.6 MB',
    licence: 'CC BY 4.0',
    citation:
      'Nouha Dziri, Hannah Rashkin, Tal Linzen, David Reitter. Evaluating Attribution in Dialogue Systems: The BEGIN Benchmark. TACL 10, 2022. Wizard of Wikipedia: Dinan et al., ICLR 2019.',
    files: [
      { name: 'begin_dev_wow.tsv', ...github(...beginRepo, 'wow/begin_dev_wow.tsv'), sha256: '2ebfc95a1ff267e12dcce3250da4d158e1811c62e9e1a0d56f110efc9ace0178' },
      { name: 'begin_test_wow.tsv', ...github(...beginRepo, 'wow/begin_test_wow.tsv'), sha256: 'd5c106a42042c3abd481563f1157e07c95c107dbcdf67f23564d874e8a4d6e7e' },
      { name: 'LICENSE', ...github(...beginRepo, 'wow/LICENSE'), sha256: '5cae4a69c3c71bfec6251130e2a413bcaea051467f9805c2580dcf771a76361f' },
      { name: 'NOTICE', ...github(...beginRepo, 'wow/NOTICE'), sha256: '3206f4c41ec756667ee8cd0300fd6114fc5bfb370799b46cdf9d3050fcc9a938' },
    ],
    converter: 'begin',
  },
  beir('scifact', '5f7d1de60b170fc8027bb7898e2efca1', {
    description: 'SciFact: 5,183 scientific abstracts, 300 test claims',
    size: '7 MB',
    licence: 'CC BY-NC 2.0',
    citation: 'David Wadden et al. Fact or Fiction: Verifying Scientific Claims. EMNLP 2020.',
  }),
  beir('nfcorpus', 'a89dba18a62ef92f7d323ec890a0d38d', {
    description: 'NFCorpus: 3,633 medical documents, 323 test queries, graded judgments',
    size: '6 MB',
    licence: 'CC BY-SA 4.0',
    citation: 'Vera Boteva, Demian Gholipour, Artem Sokolov, Stefan Riezler. A Full-Text Learning to Rank Dataset for Medical Information Retrieval. ECIR 2016.',
  }),
  beir('fiqa', '17918ed23cd04fb15047f73e6c3bd9d9', {
    description: 'FiQA-2018: 57,638 financial forum posts, 648 test questions',
    size: '55 MB',
    licence: 'not reported (FiQA 2018 challenge data)',
    citation: 'Macedo Maia et al. WWW\'18 Open Challenge: Financial Opinion Mining and Question Answering. WWW 2018 Companion.',
  }),
  beir('arguana', '8ad3e3c2a5867cdced806d6503f29b99', {
    description: 'ArguAna: 8,674 arguments, 1,406 test counter-argument queries',
    size: '10 MB',
    licence: 'CC BY 4.0',
    citation: 'Henning Wachsmuth, Shahbaz Syed, Benno Stein. Retrieval of the Best Counterargument without Prior Topic Knowledge. ACL 2018.',
  }),
  beir('scidocs', '38121350fc3a4d2f48850f6aff52e4a9', {
    description: 'SCIDOCS: 25,657 paper abstracts, 1,000 test citation-prediction queries',
    size: '35 MB',
    licence: 'GNU GPL v3.0',
    citation: 'Arman Cohan et al. SPECTER: Document-level Representation Learning using Citation-informed Transformers. ACL 2020.',
  }),
  beir('trec-covid', 'ce62140cb23feb9becf6270d0d1fe6d1', {
    description: 'TREC-COVID: 171,332 CORD-19 articles, 50 test topics, deep graded judgments',
    size: '230 MB',
    licence: 'CORD-19 dataset licence agreement (see allenai/cord19)',
    citation: 'Ellen Voorhees et al. TREC-COVID: Constructing a Pandemic Information Retrieval Test Collection. SIGIR Forum 54(1), 2020.',
  }),
  beir('quora', '18fb154900ba42a600f84b839c173167', {
    description: 'Quora: 522,931 questions, 10,000 test duplicate-question queries',
    size: '60 MB',
    licence: 'not reported (Quora terms of service)',
    citation: 'Shankar Iyer, Nikhil Dandekar, Kornél Csernai. First Quora Dataset Release: Question Pairs, 2017.',
  }),
  beir('webis-touche2020', '46f650ba5a527fc69e0a6521c5a23563', {
    description: 'Touché-2020: 382,545 arguments, 49 test topics',
    size: '700 MB',
    licence: 'CC BY 4.0',
    citation: 'Alexander Bondarenko et al. Overview of Touché 2020: Argument Retrieval. CLEF 2020.',
  }),
];

export function catalogEntry(name: string): CatalogEntry | undefined {
  return catalog.find((entry) => entry.name === name);
}
