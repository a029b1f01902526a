// placeholder, replaced shortly
export {};
