/*
 * swiftnn._C: the module object. Function tables live with their code
 * (tensor.c, ops.c, nn.c) and are merged here.
 */
#define SWIFTNN_IMPORT_ARRAY
#include "swiftnn_ext.h"

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "swiftnn._C",
    .m_doc = "Low-level bindings of the swiftnn C ABI (use the swiftnn package instead).",
    .m_size = -1,
};

PyMODINIT_FUNC PyInit__C(void) {
    import_array();
    PyObject* m = PyModule_Create(&module_def);
    if (!m) return NULL;
    PyMethodDef* tables[] = {tensor_methods, nn_methods, data_methods,
                             optim_methods, checkpoint_methods,
                             summary_methods, train_methods, distributed_methods, export_methods,
                             kernel_path_methods};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        if (PyModule_AddFunctions(m, tables[i]) < 0) goto fail;
    }
    for (size_t i = 0; generated_method_tables[i]; i++) {
        if (PyModule_AddFunctions(m, generated_method_tables[i]) < 0) goto fail;
    }
    if (handles_ready(m) < 0) goto fail;
    if (distributed_ready(m) < 0) goto fail;
    if (PyModule_AddIntConstant(m, "MAX_DIMS", SWIFTNN_MAX_DIMS) < 0) goto fail;
    if (PyModule_AddIntConstant(m, "ABI_VERSION", SWIFTNN_ABI_VERSION) < 0) goto fail;
    return m;
fail:
    Py_DECREF(m);
    return NULL;
}
