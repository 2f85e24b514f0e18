extension Recipe {
    /// The recipe under the case study's argument names (`optim`, `lr`, `l2`, `clip`, ...), so
    /// the Python `experiment` reads its defaults from here instead of keeping its own.
    public var caseStudyJSON: JSON {
        .object([("optim", optimizer.json), ("lr", lr.json), ("l2", weightDecay.json), ("betas", [betas.0, betas.1].json),
                 ("eps", eps.json), ("momentum", momentum.json), ("clip", maxGradNorm.json),
                 ("train_batch_size", trainBatchSize.json), ("test_batch_size", testBatchSize.json)])
    }
}
