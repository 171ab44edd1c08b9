"""labelwise where models are trained: one module per host library.

* :mod:`labelwise.integrations.sklearn`: scorers for ``GridSearchCV``,
  ``cross_validate`` and ``permutation_importance``;
* :mod:`labelwise.integrations.transformers`: ``compute_metrics`` for the Hugging
  Face ``Trainer``, batch by batch with ``batch_eval_metrics=True``.

None of them imports its host library: they read what the host hands them (an
estimator's responses, an ``EvalPrediction``), so importing one costs nothing and
needs nothing beyond labelwise. Training loops and trackers need no module of their
own: :class:`labelwise.Accumulator` and :meth:`labelwise.Report.to_flat_dict` serve
them (see ``docs/integrations.md``).
"""

__all__ = ["sklearn", "transformers"]
