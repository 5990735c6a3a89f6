"""Chinese text analysis: normalisation, segmentation (jieba), similar proposals, 三事分流.

Framework-free and storage-free: callers hand in text and ids, and get codes back
("small"/"big"/"private", "development"/…) that they translate themselves.
Importing this package does not import jieba; see ``bot.text.segment``.
"""
