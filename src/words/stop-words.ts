/**
 * English function words a search phrase can drop: articles, pronouns, prepositions, conjunctions,
 * auxiliaries and a few degree adverbs. They carry grammar, not what an image shows, and several of
 * them ("a", "i") have no vector in the default GloVe vocabulary at all. Content words such as
 * "like", "top" or "back" are deliberately absent: a user may mean them. Words that only say "find me
 * an image of" are in; so are the fragments the tokenizer leaves of contractions ("i'm" → i, m).
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a an the
  i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his himself
  she her hers herself it its itself they them their theirs themselves one's
  this that these those who whom whose which what whatever whichever whoever
  am is are was were be been being have has had having do does did doing done
  will would shall should can could may might must ought
  and or nor but if then else so than as because while whereas although though unless until
  of at by for with without from to into onto in on off out up down over under about above below
  between among through during before after against within upon via per toward towards across along
  around behind beside besides beyond near
  not no any some each every either neither both all such same own
  very too quite rather just also only even really
  there here where when why how
  let let's please show find me give get search image images picture pictures photo photos
  m ve d ll re s t`
    .split(/\s+/)
    .filter(Boolean),
);
